import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { AUDIT_RETENTION_DAYS, type AuditEntry } from '../../domain/audit.ts';
import { type Credential, editVersionOf } from '../../domain/credential.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import type {
  AuditRecordId,
  CreateOutcome,
  CredentialChanges,
  CredentialRepository,
  DeleteRequest,
  IdempotencyRecord,
} from '../../ports/credential-repository.ts';
import { dynamoDbCredentialReads } from './dynamodb-credential-reads.ts';
import { type ItemKey, isCorruptItem } from './item-schemas.ts';
import {
  auditItem,
  auditPk,
  COUNT_SHARDS,
  countShardOf,
  countSk,
  credentialFromItem,
  credentialItem,
  credentialKey,
  credentialUpdate,
  dueGsiPk,
  flowFromItem,
  flowSk,
  fromAttributes,
  GSI3,
  idempotencySk,
  type Key,
  key,
  parseItems,
  TTL_ATTRIBUTE,
  tenantCredentialFromItem,
  tenantPk,
  toAttributes,
  usageSk,
} from './table-layout.ts';
import { cancellationReasons, isConditionFailure, withConflictRetry } from './transaction-failure.ts';

const CREATE_IDEMPOTENCY_INDEX = 2;

/** Which count item a delete releases: the credential's shard, the unsharded item, or none. */
type CountedIn = 'shard' | 'unsharded' | 'none';

export const dynamoDbCredentialRepository = (
  client: DynamoDBClient,
  tableName: string,
  auditRetentionDays = AUDIT_RETENTION_DAYS,
  onCorruptItem: (itemKey: ItemKey) => void = () => {},
  /** Fewer count shards only to measure what one hot count item costs (`npm run bench`). */
  countShards = COUNT_SHARDS,
): CredentialRepository => {
  const reads = dynamoDbCredentialReads(client, tableName, onCorruptItem);
  const { get, usage } = reads;
  const create = async (
    credential: Credential,
    idempotency: IdempotencyRecord | undefined,
    audit: AuditEntry,
  ): Promise<CreateOutcome> => {
    const pk = tenantPk(credential.tenantId);
    const nowEpoch = Math.floor(Date.parse(credential.createdAt) / 1000);
    try {
      await withConflictRetry(() =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: credentialItem(credential),
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: key(pk, countSk(credential.componentId, countShardOf(credential.id, countShards))),
                  UpdateExpression: 'ADD credentialCount :one SET componentId = :component',
                  ExpressionAttributeValues: toAttributes({
                    ':one': 1,
                    ':component': credential.componentId,
                  }),
                },
              },
              ...(idempotency
                ? [
                    {
                      // A key is claimed once; an expired claim (TTL deletion is lazy) may be reused.
                      Put: {
                        TableName: tableName,
                        Item: toAttributes({
                          PK: pk,
                          SK: idempotencySk(idempotency.key),
                          entity: 'idempotency',
                          credentialId: credential.id,
                          requestHash: idempotency.requestHash,
                          [TTL_ATTRIBUTE]: Math.floor(Date.parse(idempotency.expiresAt) / 1000),
                        }),
                        ConditionExpression: 'attribute_not_exists(PK) OR #ttl < :now',
                        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
                        ExpressionAttributeValues: toAttributes({ ':now': nowEpoch }),
                        ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                      },
                    },
                  ]
                : []),
              { Put: { TableName: tableName, Item: auditItem(audit, auditRetentionDays) } },
            ],
          }),
        ),
      );
      return { kind: 'created' };
    } catch (error) {
      const reasons = cancellationReasons(error);
      const claimed = reasons?.[CREATE_IDEMPOTENCY_INDEX];
      if (idempotency && claimed && isConditionFailure(claimed) && claimed.Item) {
        const earlier = fromAttributes(claimed.Item);
        if (earlier.requestHash !== idempotency.requestHash) {
          throw new AppError(
            'idempotency_key_reused',
            'This Idempotency-Key was already used for a different request. Use a new key for a new credential.',
          );
        }
        const existing = await get(credential.tenantId, String(earlier.credentialId));
        if (!existing) {
          throw new AppError(
            'conflict',
            'The credential created with this Idempotency-Key has since been deleted.',
          );
        }
        return { kind: 'replayed', credential: existing };
      }
      throw error;
    }
  };

  /**
   * Credentials due for a check at `now`, earliest first: one Query on a key range of the sparse due
   * index, so its cost follows the number due, never the tenant's size. `after` resumes past the
   * last one handled (its index sort key).
   */
  const listDue = async (
    tenantId: string,
    now: Date,
    limit: number,
    after?: string,
  ): Promise<{ items: Credential[]; last?: string }> => {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI3,
        KeyConditionExpression: 'GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to',
        ExpressionAttributeValues: toAttributes({
          ':pk': dueGsiPk(tenantId),
          // Just past the last one handled (no id holds a space), or from the start of time.
          ':from': after ? `${after} ` : '0',
          ':to': `${now.toISOString()}#\uffff`,
        }),
        Limit: limit,
      }),
    );
    const items = parseItems(result.Items ?? [], tenantCredentialFromItem(tenantId), onCorruptItem);
    const lastKey = result.LastEvaluatedKey?.GSI3SK?.S;
    return { items, ...(lastKey ? { last: lastKey } : {}) };
  };

  const requestCheck = async (
    tenantId: string,
    credentialId: string,
    version: number,
    now: Date,
    windowMs: number,
  ) => {
    const at = now.toISOString();
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: credentialKey(tenantId, credentialId),
          UpdateExpression:
            'SET checkDueAt = :at, GSI3PK = :pk, GSI3SK = :sk, checkRequestedAt = :at, checkRequestedVersion = :version',
          // The window is per version: a report about secrets changed since the last report (a PATCH,
          // a re-connect) is about other secrets, so it schedules a check of its own.
          ConditionExpression:
            'attribute_exists(PK) AND (attribute_not_exists(checkRequestedAt) OR checkRequestedAt < :cutoff OR attribute_not_exists(checkRequestedVersion) OR checkRequestedVersion <> :version)',
          ExpressionAttributeValues: toAttributes({
            ':at': at,
            ':pk': dueGsiPk(tenantId),
            ':sk': `${at}#${credentialId}`,
            ':cutoff': new Date(now.getTime() - windowMs).toISOString(),
            ':version': version,
          }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  /**
   * One transaction: the conditional update and its audit record. The result is computed from the
   * credential the caller read, which the version condition proves is still current.
   */
  const update = async (
    current: Credential,
    changes: CredentialChanges,
    audit: AuditEntry | readonly AuditEntry[],
  ): Promise<Credential> => {
    const records: readonly AuditEntry[] = Array.isArray(audit) ? audit : [audit as AuditEntry];
    const assignments = Object.entries(changes).filter(([, value]) => value !== undefined);
    const expression = credentialUpdate(current, changes, { ':expected': current.version });
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: credentialKey(current.tenantId, current.id),
                ...expression,
                // The version is the optimistic lock of every write; a person's If-Match was checked
                // against the edit version by the use case, from the very item this write expects.
                ConditionExpression: 'attribute_exists(PK) AND #version = :expected',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            ...records.map((entry) => ({
              Put: { TableName: tableName, Item: auditItem(entry, auditRetentionDays) },
            })),
          ],
        }),
      );
    } catch (error) {
      const reason = cancellationReasons(error)?.[0];
      if (reason && isConditionFailure(reason)) {
        if (!reason.Item) throw notFound('Credential');
        throw new AppError(
          'version_mismatch',
          'The credential changed since you read it. Read it again, then retry.',
          {
            extensions: { currentVersion: editVersionOf(credentialFromItem(reason.Item)) },
          },
        );
      }
      throw error;
    }
    const defined = Object.fromEntries(assignments) as Partial<Credential>;
    return { ...current, editVersion: editVersionOf(current), ...defined, version: current.version + 1 };
  };

  /**
   * The component count's part of a delete: minus one in the credential's shard, never below
   * zero. Where the shard holds none, the credential was counted before shards existed (the
   * unsharded item); where that holds none either, the item was never counted (written outside the
   * service): then only a check that its shard is indeed at zero.
   */
  const countRelease = (
    tenantId: string,
    credentialId: string,
    componentId: string,
    counted: CountedIn,
  ): TransactWriteItem => {
    const shard = countSk(componentId, countShardOf(credentialId, countShards));
    return counted === 'none'
      ? {
          ConditionCheck: {
            TableName: tableName,
            Key: key(tenantPk(tenantId), shard),
            ConditionExpression: 'attribute_not_exists(credentialCount) OR credentialCount < :one',
            ExpressionAttributeValues: toAttributes({ ':one': 1 }),
          },
        }
      : {
          Update: {
            TableName: tableName,
            Key: key(tenantPk(tenantId), counted === 'shard' ? shard : countSk(componentId)),
            UpdateExpression: 'ADD credentialCount :minusOne',
            ConditionExpression: 'credentialCount >= :one',
            ExpressionAttributeValues: toAttributes({ ':minusOne': -1, ':one': 1 }),
          },
        };
  };
  /** Where a delete looks for the count next, when its shard (then the unsharded item) holds none. */
  const nextCountedIn = (counted: CountedIn): CountedIn | undefined =>
    counted === 'shard' ? 'unsharded' : counted === 'unsharded' ? 'none' : undefined;

  const remove = async (
    request: DeleteRequest,
    audit: AuditEntry,
    counted: CountedIn = 'shard',
  ): Promise<void> => {
    const { tenantId, credentialId, componentId, acceptedVersions, inactiveFlowIds } = request;
    const versions = Object.fromEntries(
      (acceptedVersions ?? []).map((version, index) => [`:v${index}`, version]),
    );
    const pk = tenantPk(tenantId);
    // Each inactive flow keeps its steps and learns, in this transaction, that their credential is
    // gone: its version moves on, so a concurrent edit or activation of it fails and is re-planned.
    const markFlows: TransactWriteItem[] = inactiveFlowIds.flatMap((flowId) => [
      {
        Update: {
          TableName: tableName,
          Key: key(pk, flowSk(flowId)),
          UpdateExpression:
            'SET missingCredentialIds = list_append(if_not_exists(missingCredentialIds, :none), :missing), ' +
            'updatedAt = :at, updatedBy = :by ADD #version :one',
          ConditionExpression: 'attribute_exists(PK) AND #status = :inactive',
          ExpressionAttributeNames: { '#version': 'version', '#status': 'status' },
          ExpressionAttributeValues: toAttributes({
            ':none': [],
            ':missing': [credentialId],
            ':at': audit.at,
            ':by': audit.actor,
            ':one': 1,
            ':inactive': 'inactive',
          }),
        },
      },
      { Delete: { TableName: tableName, Key: key(pk, usageSk(credentialId, flowId)) } },
    ]);
    try {
      await withConflictRetry(() =>
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: credentialKey(tenantId, credentialId),
                  // The in-use guard: flows maintain both counts in their own transactions, so a
                  // concurrent activation or a new reference either lands first (and this fails)
                  // or fails itself.
                  ConditionExpression: `attribute_exists(PK) AND componentId = :component AND activeFlowCount = :zero AND flowCount = :flows${
                    acceptedVersions === undefined
                      ? ''
                      : // A person's If-Match names an edit version (the version, on items from before it).
                        ` AND (editVersion IN (${Object.keys(versions).join(', ')}) OR (attribute_not_exists(editVersion) AND version IN (${Object.keys(versions).join(', ')})))`
                  }`,
                  ExpressionAttributeValues: toAttributes({
                    ':component': componentId,
                    ':zero': 0,
                    ':flows': inactiveFlowIds.length,
                    ...versions,
                  }),
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              countRelease(tenantId, credentialId, componentId, counted),
              { Put: { TableName: tableName, Item: auditItem(audit, auditRetentionDays) } },
              ...markFlows,
            ],
          }),
        ),
      );
    } catch (error) {
      const reasons = cancellationReasons(error);
      const reason = reasons?.[0];
      if (reason && isConditionFailure(reason)) {
        let old: Credential | null;
        try {
          old = reason.Item ? credentialFromItem(reason.Item) : null;
        } catch (parseError) {
          if (!isCorruptItem(parseError)) throw parseError;
          return removeCorrupt(request, audit);
        }
        if (!old || old.componentId !== componentId) throw notFound('Credential');
        if (acceptedVersions !== undefined && !acceptedVersions.includes(editVersionOf(old))) {
          throw new AppError(
            'version_mismatch',
            'The credential changed since you read it. Read it again, then retry.',
            {
              extensions: { currentVersion: editVersionOf(old) },
            },
          );
        }
        throw new AppError('credential_in_use', 'The credential is used by flows.', {
          extensions: { activeFlowCount: old.activeFlowCount, flowCount: old.flowCount },
        });
      }
      // The shard holds none: counted before shards, or never counted (written outside the
      // service). It is deleted all the same, and no count goes below zero.
      const next = nextCountedIn(counted);
      if (next && isConditionFailure(reasons?.[1])) return remove(request, audit, next);
      // A flow read as inactive was activated or deleted meanwhile: the caller reads again.
      if (reasons?.some(isConditionFailure)) {
        throw new AppError('credential_in_use', 'The flows using the credential changed.', {
          extensions: { flowsChanged: true },
        });
      }
      throw error;
    }
  };

  /**
   * Deletes a credential item that no longer parses (edited outside the service): its counts
   * cannot be trusted, so the usage items decide. While any flow references it, the delete is
   * refused with those flows; otherwise the item goes, and the component count with it (never
   * below zero).
   */
  const removeCorrupt = async (request: DeleteRequest, audit: AuditEntry): Promise<void> => {
    const { tenantId, credentialId, componentId } = request;
    const flows = await usage(tenantId, credentialId);
    if (flows.length > 0) {
      const itemKey = credentialKey(tenantId, credentialId);
      throw new AppError(
        'corrupt_item',
        `The stored credential is malformed and ${flows.length} flow(s) still reference it (${flows
          .map((flow) => flow.flowId)
          .join(', ')
          .slice(0, 300)}): delete those flows or give their steps another credential, then delete it.`,
        { extensions: { key: { PK: itemKey.PK?.S ?? '', SK: itemKey.SK?.S ?? '' } } },
      );
    }
    const attempt = (counted: CountedIn) =>
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName,
                Key: credentialKey(tenantId, credentialId),
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
            countRelease(tenantId, credentialId, componentId, counted),
            { Put: { TableName: tableName, Item: auditItem(audit, auditRetentionDays) } },
          ],
        }),
      );
    for (let counted: CountedIn | undefined = 'shard'; counted; ) {
      try {
        await withConflictRetry(() => attempt(counted as CountedIn));
        return;
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (isConditionFailure(reasons?.[0])) throw notFound('Credential');
        counted = nextCountedIn(counted);
        if (!counted || !isConditionFailure(reasons?.[1])) throw error;
      }
    }
  };

  const getWithFlow = async (tenantId: string, flowId: string, credentialId: string) => {
    const { Responses } = await client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: tableName, Key: key(tenantPk(tenantId), flowSk(flowId)) } },
          { Get: { TableName: tableName, Key: credentialKey(tenantId, credentialId) } },
        ],
      }),
    );
    const [flow, credential] = [Responses?.[0]?.Item, Responses?.[1]?.Item];
    return {
      flow: flow ? flowFromItem(flow) : null,
      credential: credential ? credentialFromItem(credential) : null,
    };
  };

  const appendAudit = async (entry: AuditEntry): Promise<void> => {
    await client.send(
      new PutItemCommand({ TableName: tableName, Item: auditItem(entry, auditRetentionDays) }),
    );
  };

  const appendAuditIfStepUses = async (
    entry: AuditEntry,
    use: { flowId: string; stepId: string; credentialVersion?: number },
  ): Promise<AuditRecordId | undefined> => {
    const item = auditItem(entry, auditRetentionDays);
    try {
      await client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              // The usage item is written in the same transactions that activate, deactivate or
              // re-point a flow, so it is the current answer to "may this step use it".
              ConditionCheck: {
                TableName: tableName,
                Key: key(tenantPk(entry.tenantId), usageSk(entry.credentialId, use.flowId)),
                ConditionExpression: 'flowStatus = :active AND contains(stepIds, :step)',
                ExpressionAttributeValues: toAttributes({ ':active': 'active', ':step': use.stepId }),
              },
            },
            // A re-connect, an edit, a refresh or a status change moves the version: a warm copy of
            // an older one is not handed out again.
            ...(use.credentialVersion === undefined
              ? []
              : [
                  {
                    ConditionCheck: {
                      TableName: tableName,
                      Key: credentialKey(entry.tenantId, entry.credentialId),
                      ConditionExpression: 'version = :version',
                      ExpressionAttributeValues: toAttributes({ ':version': use.credentialVersion }),
                    },
                  },
                ]),
            { Put: { TableName: tableName, Item: item } },
          ],
        }),
      );
      return String(item.SK?.S);
    } catch (error) {
      if (cancellationReasons(error)?.some((reason) => isConditionFailure(reason))) return undefined;
      throw error;
    }
  };

  /** Completes a record written before its outcome was known (a proxied request, once answered). */
  const completeAudit = async (
    entry: Pick<AuditEntry, 'tenantId' | 'credentialId'>,
    recordId: AuditRecordId,
    outcome: Pick<AuditEntry, 'detail' | 'request'>,
  ): Promise<void> => {
    const values = Object.fromEntries(Object.entries(outcome).filter(([, value]) => value !== undefined));
    if (Object.keys(values).length === 0) return;
    const names = Object.keys(values);
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: key(auditPk(entry.tenantId, entry.credentialId), recordId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: toAttributes(
          Object.fromEntries(names.map((name) => [`:${name}`, values[name]])),
        ),
      }),
    );
  };

  const existingIds = async (tenantId: string, credentialIds: readonly string[]): Promise<Set<string>> => {
    const found = new Set<string>();
    for (let start = 0; start < credentialIds.length; start += 100) {
      let keys: Key[] | undefined = credentialIds
        .slice(start, start + 100)
        .map((credentialId) => credentialKey(tenantId, credentialId));
      for (let attempt = 0; keys && keys.length > 0; attempt++) {
        const result: BatchGetItemCommandOutput = await client.send(
          new BatchGetItemCommand({
            RequestItems: { [tableName]: { Keys: keys, ProjectionExpression: 'SK', ConsistentRead: true } },
          }),
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          const sk = item.SK?.S ?? '';
          if (sk.startsWith('CRED#')) found.add(sk.slice('CRED#'.length));
        }
        // Throttled keys come back unprocessed: retried with back-off, as DynamoDB documents.
        keys = result.UnprocessedKeys?.[tableName]?.Keys;
        if (keys && keys.length > 0)
          await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 5)));
      }
    }
    return found;
  };

  const sweepKey = (scope: string, pass: string) => key(tenantPk(scope), `SWEEP#${pass}`);

  const sweepPosition = async (scope: string, pass: string): Promise<string | undefined> => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: sweepKey(scope, pass), ConsistentRead: true }),
    );
    const position = Item ? fromAttributes(Item).position : undefined;
    return typeof position === 'string' ? position : undefined;
  };

  const saveSweepPosition = async (scope: string, pass: string, position: string | undefined) => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: toAttributes({ ...fromAttributes(sweepKey(scope, pass)), entity: 'sweep', position }),
      }),
    );
  };

  return {
    ...reads,
    create,
    update,
    delete: remove,
    getWithFlow,
    listDue,
    requestCheck,
    appendAudit,
    appendAuditIfStepUses,
    completeAudit,
    existingIds,
    sweepPosition,
    saveSweepPosition,
  };
};
