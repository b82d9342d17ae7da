import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { RefreshLease } from '../../ports/refresh-lease.ts';
import { fromAttributes, key, leaseSk, TTL_ATTRIBUTE, tenantPk, toAttributes } from './table-layout.ts';

export const dynamoDbRefreshLease = (client: DynamoDBClient, tableName: string): RefreshLease => ({
  async acquire(tenantId, credentialId, owner, now, durationMs) {
    try {
      const { Attributes } = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(tenantPk(tenantId), leaseSk(credentialId)),
          // The generation counter makes every holding distinct, so a late release of an expired
          // lease cannot free the next holder's.
          UpdateExpression:
            'SET #owner = :owner, leaseUntil = :until, entity = :entity, #ttl = :ttl ADD generation :one',
          ConditionExpression: 'attribute_not_exists(PK) OR leaseUntil < :now',
          ExpressionAttributeNames: { '#owner': 'owner', '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: toAttributes({
            ':owner': owner,
            ':until': now.getTime() + durationMs,
            ':now': now.getTime(),
            ':one': 1,
            ':entity': 'lease',
            ':ttl': Math.floor(now.getTime() / 1000) + 86_400,
          }),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { acquired: true, generation: Number(fromAttributes(Attributes ?? {}).generation ?? 0) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { acquired: false, generation: 0 };
      throw error;
    }
  },

  async release(tenantId, credentialId, owner, generation) {
    try {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(tenantPk(tenantId), leaseSk(credentialId)),
          UpdateExpression: 'SET leaseUntil = :zero',
          ConditionExpression: '#owner = :owner AND generation = :generation',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: toAttributes({ ':zero': 0, ':owner': owner, ':generation': generation }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  },
});
