import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { LeaseHolding, LeaseState, RefreshLease } from '../../ports/refresh-lease.ts';
import {
  auditItem,
  credentialKey,
  credentialUpdate,
  fromAttributes,
  type Key,
  key,
  leaseSk,
  TTL_ATTRIBUTE,
  tenantPk,
  toAttributes,
} from './table-layout.ts';
import { cancellationReasons, isConditionFailure, withConflictRetry } from './transaction-failure.ts';

const stateOf = (attributes: Record<string, unknown> | undefined): LeaseState | null => {
  if (!attributes) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const attemptState = text(attributes.attemptState);
  return {
    generation: number(attributes.generation) ?? 0,
    leaseUntil: number(attributes.leaseUntil) ?? 0,
    ...(attemptState === 'sent' || attemptState === 'retryable' || attemptState === 'done'
      ? { attemptState }
      : {}),
    ...(text(attributes.attemptVersion) ? { attemptVersion: text(attributes.attemptVersion) } : {}),
    ...(number(attributes.backoffUntil) ? { backoffUntil: number(attributes.backoffUntil) } : {}),
  };
};

const FENCE = '#owner = :owner AND generation = :generation';

export const dynamoDbRefreshLease = (
  client: DynamoDBClient,
  tableName: string,
  auditRetentionDays: number,
): RefreshLease => {
  const leaseKey = (holding: Pick<LeaseHolding, 'tenantId' | 'credentialId'>): Key =>
    key(tenantPk(holding.tenantId), leaseSk(holding.credentialId));
  const fenceValues = (holding: LeaseHolding) => ({
    ':owner': holding.owner,
    ':generation': holding.generation,
  });

  /** An update only the holder of that generation can make: false once the lease is another's. */
  const fencedUpdate = async (
    holding: LeaseHolding,
    updateExpression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> => {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: leaseKey(holding),
          UpdateExpression: updateExpression,
          ConditionExpression: FENCE,
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: toAttributes({ ...fenceValues(holding), ...values }),
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  };

  return {
    async acquire(tenantId, credentialId, owner, now, durationMs, clockSkewMs) {
      const held = (state: LeaseState) => ({
        acquired: true as const,
        holding: {
          tenantId,
          credentialId,
          owner,
          generation: state.generation,
          until: state.leaseUntil,
          state,
        },
      });
      try {
        const { Attributes } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: leaseKey({ tenantId, credentialId }),
            // The generation counter makes every holding distinct: it fences a late writer.
            UpdateExpression:
              'SET #owner = :owner, leaseUntil = :until, entity = :entity, #ttl = :ttl ADD generation :one',
            // Expired by more than the clock skew allowed between containers: another container's
            // clock running behind never ends a lease early.
            ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :expiredBefore',
            ExpressionAttributeNames: { '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: toAttributes({
              ':owner': owner,
              ':until': now.getTime() + durationMs,
              ':expiredBefore': now.getTime() - clockSkewMs,
              ':one': 1,
              ':entity': 'lease',
              ':ttl': Math.floor(now.getTime() / 1000) + 86_400,
            }),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return held(stateOf(fromAttributes(Attributes ?? {})) as LeaseState);
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const old = error.Item ? fromAttributes(error.Item) : undefined;
        const state = stateOf(old);
        // The SDK retried an acquire whose answer was lost: the lease is this very call's (its
        // owner and its deadline), not another holder's to wait for.
        if (state && old?.owner === owner && state.leaseUntil === now.getTime() + durationMs)
          return held(state);
        return { acquired: false, state };
      }
    },

    async recordAttempt(holding, attempt) {
      return fencedUpdate(
        holding,
        'SET attemptState = :state, attemptVersion = :version, backoffUntil = :backoff, attemptGeneration = :generation',
        {
          ':state': attempt.state,
          ':version': attempt.secretVersionId,
          ':backoff': attempt.backoffUntil ?? 0,
        },
      );
    },

    async renew(holding, until) {
      return (await fencedUpdate(holding, 'SET leaseUntil = :until', { ':until': until }))
        ? { ...holding, until }
        : undefined;
    },

    async takeWriteSlot(tenantId, now, perSecond) {
      const second = Math.floor(now.getTime() / 1000);
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(tenantPk(tenantId), `WRITES#${second}`),
            UpdateExpression: 'ADD writes :one SET entity = :entity, #ttl = :ttl',
            ConditionExpression: 'attribute_not_exists(writes) OR writes < :limit',
            ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
            ExpressionAttributeValues: toAttributes({
              ':one': 1,
              ':limit': perSecond,
              ':entity': 'write-budget',
              ':ttl': second + 3600,
            }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async release(holding) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: leaseKey(holding),
            UpdateExpression: 'SET leaseUntil = :zero',
            ConditionExpression: FENCE,
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: toAttributes({ ':zero': 0, ...fenceValues(holding) }),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },

    async commit(holding, credential, fromSecretVersionId, changes, audit) {
      const expression = credentialUpdate(credential, changes, { ':from': fromSecretVersionId });
      try {
        await withConflictRetry(() =>
          client.send(
            new TransactWriteItemsCommand({
              TransactItems: [
                {
                  // The fence: only the current holder's result is ever stored, so a holder whose
                  // lease expired mid-call cannot overwrite a newer refresh or revive `invalid`.
                  Update: {
                    TableName: tableName,
                    Key: leaseKey(holding),
                    UpdateExpression: 'SET leaseUntil = :zero, attemptState = :done',
                    ConditionExpression: FENCE,
                    ExpressionAttributeNames: { '#owner': 'owner' },
                    ExpressionAttributeValues: toAttributes({
                      ':zero': 0,
                      ':done': 'done',
                      ...fenceValues(holding),
                    }),
                  },
                },
                {
                  Update: {
                    TableName: tableName,
                    Key: credentialKey(credential.tenantId, credential.id),
                    ...expression,
                    ConditionExpression: 'attribute_exists(PK) AND secretVersionId = :from',
                  },
                },
                { Put: { TableName: tableName, Item: auditItem(audit, auditRetentionDays) } },
              ],
            }),
          ),
        );
        return 'committed';
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons && isConditionFailure(reasons[0])) return 'fenced';
        if (reasons && isConditionFailure(reasons[1])) return 'superseded';
        throw error;
      }
    },
  };
};
