import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { ConnectSession } from '../../domain/connect-session.ts';
import type { ConnectSessionRepository } from '../../ports/connect-session-repository.ts';
import { ConnectSessionItem, parseItem } from './item-schemas.ts';
import {
  connectSessionSk,
  fromAttributes,
  key,
  keyOf,
  TTL_ATTRIBUTE,
  tenantPk,
  toAttributes,
} from './table-layout.ts';

type Item = Parameters<typeof fromAttributes>[0];

const sessionFromItem = (item: Item): ConnectSession => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  const parsed = parseItem(
    ConnectSessionItem,
    itemKey,
    attributes,
    (session) =>
      itemKey.PK === tenantPk(session.tenantId) && itemKey.SK === connectSessionSk(session.sessionId),
  );
  return { ...parsed, codeVerifier: parsed.codeVerifier ?? null } as ConnectSession;
};

const sameHash = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Sessions are kept a day past their expiry (for `GET /connect-sessions/{id}`), then TTL removes them. */
const KEEP_SECONDS = 86_400;

export const dynamoDbConnectSessionRepository = (
  client: DynamoDBClient,
  tableName: string,
): ConnectSessionRepository => {
  const get = async (tenantId: string, sessionId: string) => {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: key(tenantPk(tenantId), connectSessionSk(sessionId)),
        ConsistentRead: true,
      }),
    );
    return Item ? sessionFromItem(Item) : null;
  };
  return {
    get,

    async create(session) {
      await client
        .send(
          new PutItemCommand({
            TableName: tableName,
            Item: toAttributes({
              PK: tenantPk(session.tenantId),
              SK: connectSessionSk(session.sessionId),
              entity: 'connectSession',
              ...session,
              [TTL_ATTRIBUTE]: Math.floor(Date.parse(session.expiresAt) / 1000) + KEEP_SECONDS,
            }),
            ConditionExpression: 'attribute_not_exists(PK)',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        )
        .catch((error: unknown) => {
          // The SDK retried a create whose answer was lost: the item is this very session.
          const old = (error as { name?: string; Item?: Item }).Item;
          if ((error as Error).name === 'ConditionalCheckFailedException' && old) {
            const current = sessionFromItem(old);
            // The nonce and state hash are random per session: equal, it is the same write.
            if (current.nonce === session.nonce && current.stateHash === session.stateHash) return;
          }
          throw error;
        });
    },

    async claim(tenantId, sessionId, stateHash, now) {
      // Names this claim: an SDK retry of it sends the same nonce, so a first attempt that landed
      // is recognised as ours rather than as the session already being used.
      const nonce = randomUUID();
      try {
        const { Attributes } = await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(tenantPk(tenantId), connectSessionSk(sessionId)),
            UpdateExpression: 'SET #status = :exchanging, claimedBy = :nonce',
            // The one-time use: of two callbacks with the same state, one sees `pending`.
            ConditionExpression: '#status = :pending AND stateHash = :hash AND expiresAt > :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: toAttributes({
              ':exchanging': 'exchanging',
              ':nonce': nonce,
              ':pending': 'pending',
              ':hash': stateHash,
              ':now': now.toISOString(),
            }),
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { session: sessionFromItem(Attributes as Item) };
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        // Why it was refused, from the item as it was; a state that does not match learns nothing more.
        const old = (error as { Item?: Item }).Item;
        if (!old) return { refused: 'unknown' };
        const current = sessionFromItem(old);
        if (!sameHash(current.stateHash, stateHash)) return { refused: 'mismatch' };
        if (current.status === 'exchanging' && old.claimedBy?.S === nonce) return { session: current };
        if (current.status !== 'pending') return { refused: 'used' };
        return { refused: 'expired' };
      }
    },

    async finish(tenantId, sessionId, outcome) {
      await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(tenantPk(tenantId), connectSessionSk(sessionId)),
          UpdateExpression:
            outcome.status === 'connected'
              ? 'SET #status = :status, resultCredentialId = :credential REMOVE codeVerifier'
              : 'SET #status = :status, reason = :reason REMOVE codeVerifier',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: toAttributes(
            outcome.status === 'connected'
              ? { ':status': 'connected', ':credential': outcome.credentialId }
              : { ':status': 'failed', ':reason': outcome.reason },
          ),
        }),
      );
    },
  };
};
