import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { AUDIT_RETENTION_DAYS, type FlowAuditEntry } from '../../domain/audit.ts';
import { type CredentialUse, type Flow, usesOf } from '../../domain/flow.ts';
import { AppError } from '../../errors/app-error.ts';
import type { Page } from '../../ports/credential-repository.ts';
import type { FlowChange, FlowRepository } from '../../ports/flow-repository.ts';
import type { ItemKey } from './item-schemas.ts';
import {
  auditItem,
  credentialKey,
  decodeCursor,
  encodeCursor,
  flowAuditItem,
  flowFromItem,
  flowItem,
  flowSk,
  fromAttributes,
  key,
  parseItems,
  sortKeyRange,
  tenantPk,
  toAttributes,
  usageSk,
} from './table-layout.ts';
import { cancellationReasons, isConditionFailure, withConflictRetry } from './transaction-failure.ts';

/** DynamoDB's limit on items in one TransactWriteItems. */
export const TRANSACTION_ITEM_LIMIT = 100;

interface ReferenceDelta {
  tenantId: string;
  componentId: string;
  flowCount: number;
  activeFlowCount: number;
  /** Steps that will use the credential after the change; empty when it is only released. */
  stepIds: string[];
}

type ItemRole =
  | { kind: 'flow'; flowId: string }
  | { kind: 'credential'; credentialId: string; delta: ReferenceDelta }
  | { kind: 'usage' }
  | { kind: 'audit' };

const flowCondition = (previous: Flow | null) =>
  previous
    ? {
        ConditionExpression: 'version = :version',
        ExpressionAttributeValues: toAttributes({ ':version': previous.version }),
      }
    : { ConditionExpression: 'attribute_not_exists(PK)' };

/** Plans one transaction: flow items, usage items, and one aggregated update per credential. */
/**
 * A flow turned on or off (created active, activated, deactivated, or deleted while active): its
 * record, in the same transaction, so the event cannot disagree with the change.
 */
const statusChangeOf = (previous: Flow | null, next: Flow | null, now: string): FlowAuditEntry | null => {
  const was = previous?.status === 'active';
  const is = next?.status === 'active';
  const flow = next ?? previous;
  if (was === is || !flow) return null;
  const credentials = [...usesOf(flow.steps).values()].map(({ credentialId, componentId }) => ({
    credentialId,
    componentId,
  }));
  return {
    tenantId: flow.tenantId,
    flowId: flow.flowId,
    flowName: flow.name,
    action: is ? 'flow_activated' : 'flow_deactivated',
    actor: next?.updatedBy ?? flow.updatedBy,
    at: next?.updatedAt ?? now,
    credentials,
  };
};

const planTransaction = (tableName: string, changes: readonly FlowChange[], retentionDays: number) => {
  const items: TransactWriteItem[] = [];
  const roles: ItemRole[] = [];
  const deltas = new Map<string, ReferenceDelta>();

  for (const { previous, next } of changes) {
    const flow = next ?? previous;
    if (!flow) continue;
    const pk = tenantPk(flow.tenantId);
    items.push(
      next
        ? { Put: { TableName: tableName, Item: flowItem(next), ...flowCondition(previous) } }
        : { Delete: { TableName: tableName, Key: key(pk, flowSk(flow.flowId)), ...flowCondition(previous) } },
    );
    roles.push({ kind: 'flow', flowId: flow.flowId });
    const statusChange = statusChangeOf(previous, next, new Date().toISOString());
    if (statusChange) {
      items.push({ Put: { TableName: tableName, Item: flowAuditItem(statusChange, retentionDays) } });
      roles.push({ kind: 'audit' });
    }

    const none = new Map<string, CredentialUse>();
    const before = previous ? usesOf(previous.steps) : none;
    const after = next ? usesOf(next.steps) : none;
    // A credential deleted while this flow was inactive has no item to count on and no usage item.
    const missing = new Set([
      ...(previous?.missingCredentialIds ?? []),
      ...(next?.missingCredentialIds ?? []),
    ]);
    for (const credentialId of new Set([...before.keys(), ...after.keys()])) {
      if (missing.has(credentialId)) continue;
      const was = before.get(credentialId);
      const will = after.get(credentialId);
      const delta: ReferenceDelta = deltas.get(credentialId) ?? {
        tenantId: flow.tenantId,
        componentId: (will ?? was)?.componentId ?? '',
        flowCount: 0,
        activeFlowCount: 0,
        stepIds: [],
      };
      delta.flowCount += (will ? 1 : 0) - (was ? 1 : 0);
      delta.activeFlowCount +=
        (will && next?.status === 'active' ? 1 : 0) - (was && previous?.status === 'active' ? 1 : 0);
      if (will) {
        delta.componentId = will.componentId;
        delta.stepIds.push(...will.stepIds.map((stepId) => `${flow.flowId}/${stepId}`));
      }
      deltas.set(credentialId, delta);

      const usageKey = key(pk, usageSk(credentialId, flow.flowId));
      items.push(
        will && next
          ? {
              Put: {
                TableName: tableName,
                Item: toAttributes({
                  PK: pk,
                  SK: usageSk(credentialId, flow.flowId),
                  entity: 'usage',
                  credentialId,
                  flowId: next.flowId,
                  flowName: next.name,
                  flowStatus: next.status,
                  stepIds: will.stepIds,
                }),
              },
            }
          : { Delete: { TableName: tableName, Key: usageKey } },
      );
      roles.push({ kind: 'usage' });
    }
  }

  for (const [credentialId, delta] of deltas) {
    const Key = credentialKey(delta.tenantId, credentialId);
    // The credential must exist, in this tenant, and be of the step's component. Checked in the same
    // transaction, so a credential deleted a moment ago (flowCount was 0) cannot be referenced.
    const condition = {
      ConditionExpression: 'attribute_exists(PK) AND componentId = :component',
    };
    if (delta.flowCount === 0 && delta.activeFlowCount === 0) {
      items.push({
        ConditionCheck: {
          TableName: tableName,
          Key,
          ...condition,
          ExpressionAttributeValues: toAttributes({ ':component': delta.componentId }),
        },
      });
    } else {
      items.push({
        Update: {
          TableName: tableName,
          Key,
          UpdateExpression: 'ADD flowCount :flows, activeFlowCount :active',
          ...condition,
          ExpressionAttributeValues: toAttributes({
            ':component': delta.componentId,
            ':flows': delta.flowCount,
            ':active': delta.activeFlowCount,
          }),
        },
      });
    }
    roles.push({ kind: 'credential', credentialId, delta });
  }
  return { items, roles };
};

const explainFailure = (error: unknown, roles: readonly ItemRole[]): unknown => {
  const reasons = cancellationReasons(error);
  if (!reasons) return error;
  const failedAt = reasons.findIndex(isConditionFailure);
  const role = roles[failedAt];
  if (!role) return error;
  if (role.kind === 'flow') {
    return new AppError(
      'version_mismatch',
      `Flow '${role.flowId}' changed since it was read. Read it again, then retry.`,
      {
        extensions: { flowId: role.flowId },
      },
    );
  }
  if (role.kind === 'credential') {
    return new AppError(
      'invalid_flow_reference',
      `Credential '${role.credentialId}' does not exist or is not a '${role.delta.componentId}' credential.`,
      {
        extensions: {
          credentialId: role.credentialId,
          componentId: role.delta.componentId,
          steps: role.delta.stepIds,
        },
      },
    );
  }
  return error;
};

export const dynamoDbFlowRepository = (
  client: DynamoDBClient,
  tableName: string,
  onCorruptItem: (itemKey: ItemKey) => void = () => {},
  auditRetentionDays = AUDIT_RETENTION_DAYS,
): FlowRepository => ({
  async get(tenantId, flowId) {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: key(tenantPk(tenantId), flowSk(flowId)),
        ConsistentRead: true,
      }),
    );
    return Item ? flowFromItem(Item) : null;
  },

  async list(tenantId, query): Promise<Page<Flow>> {
    const pk = tenantPk(tenantId);
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: sortKeyRange('FLOW#').condition,
        ExpressionAttributeValues: toAttributes({ ':pk': pk, ...sortKeyRange('FLOW#').values }),
        Limit: query.limit,
        ExclusiveStartKey: query.cursor ? decodeCursor(query.cursor, { pk, skPrefix: 'FLOW#' }) : undefined,
      }),
    );
    return {
      items: parseItems(result.Items ?? [], flowFromItem, onCorruptItem),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  },

  async deleteCorrupt(tenantId, flowId) {
    const pk = tenantPk(tenantId);
    // Every usage item of the tenant, read for this flow's: a key range, paged. A repair, not a path
    // any request takes in the normal course.
    const uses: { credentialId: string; active: boolean }[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const range = sortKeyRange('USE#');
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: range.condition,
          FilterExpression: 'flowId = :flow',
          ExpressionAttributeValues: toAttributes({ ':pk': pk, ...range.values, ':flow': flowId }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const attributes = fromAttributes(item);
        if (typeof attributes.credentialId === 'string')
          uses.push({ credentialId: attributes.credentialId, active: attributes.flowStatus === 'active' });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const items: TransactWriteItem[] = [
      {
        Delete: {
          TableName: tableName,
          Key: key(pk, flowSk(flowId)),
          ConditionExpression: 'attribute_exists(PK)',
        },
      },
      ...uses.flatMap(({ credentialId, active }): TransactWriteItem[] => [
        { Delete: { TableName: tableName, Key: key(pk, usageSk(credentialId, flowId)) } },
        {
          Update: {
            TableName: tableName,
            Key: credentialKey(tenantId, credentialId),
            UpdateExpression: 'ADD flowCount :minusOne, activeFlowCount :active',
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeValues: toAttributes({ ':minusOne': -1, ':active': active ? -1 : 0 }),
          },
        },
      ]),
    ];
    if (items.length > TRANSACTION_ITEM_LIMIT) {
      throw new AppError(
        'too_many_references',
        `This flow's references touch ${items.length} items; one transaction holds at most ${TRANSACTION_ITEM_LIMIT}.`,
      );
    }
    try {
      await withConflictRetry(() => client.send(new TransactWriteItemsCommand({ TransactItems: items })));
    } catch (error) {
      if (isConditionFailure(cancellationReasons(error)?.[0]))
        throw new AppError('not_found', 'Flow was not found.');
      throw error;
    }
  },

  async apply(changes, audit = []) {
    const planned = planTransaction(tableName, changes, auditRetentionDays);
    const { roles } = planned;
    const items = [
      ...planned.items,
      ...audit.map((entry) => ({
        Put: { TableName: tableName, Item: auditItem(entry, auditRetentionDays) },
      })),
    ];
    if (planned.items.length === 0) return;
    if (items.length > TRANSACTION_ITEM_LIMIT) {
      throw new AppError(
        'too_many_references',
        `This change touches ${items.length} items; one transaction holds at most ${TRANSACTION_ITEM_LIMIT}.`,
      );
    }
    try {
      await withConflictRetry(() => client.send(new TransactWriteItemsCommand({ TransactItems: items })));
    } catch (error) {
      throw explainFailure(error, roles);
    }
  },
});
