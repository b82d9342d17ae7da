import { type DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type * as z from 'zod/mini';
import type { Credential } from '../../domain/credential.ts';
import type { CredentialUsage } from '../../domain/flow.ts';
import type { CredentialReads, ListQuery, Page } from '../../ports/credential-repository.ts';
import { CountItem, type ItemKey, parseItem, UsageItem } from './item-schemas.ts';
import {
  auditFromItem,
  auditPk,
  componentGsiPk,
  credentialFromItem,
  credentialKey,
  decodeCursor,
  encodeCursor,
  fromAttributes,
  GSI1,
  GSI2,
  GSI4,
  type Key,
  nameGsiPk,
  nameRange,
  parseItems,
  sortKeyRange,
  statusGsiPk,
  tenantCredentialFromItem,
  tenantPk,
  toAttributes,
  usagePrefix,
} from './table-layout.ts';

/**
 * The credential reads, on their own: the functions that only read bundle these and none of the
 * writes' transactions (the full repository is these plus the writes).
 */
export const dynamoDbCredentialReads = (
  client: DynamoDBClient,
  tableName: string,
  onCorruptItem: (itemKey: ItemKey) => void = () => {},
): CredentialReads => {
  const get = async (tenantId: string, credentialId: string): Promise<Credential | null> => {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: credentialKey(tenantId, credentialId),
        ConsistentRead: true,
      }),
    );
    return Item ? credentialFromItem(Item) : null;
  };

  /**
   * Names starting with `query.name`, in name order: one Query on a key range of the sparse name
   * index. A component filter is applied to that range, so its cost follows the names that match,
   * never the tenant's size.
   */
  const listByName = async (tenantId: string, name: string, query: ListQuery): Promise<Page<Credential>> => {
    const pk = tenantPk(tenantId);
    const gsiPk = nameGsiPk(tenantId);
    const range = nameRange(name);
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI4,
        KeyConditionExpression: 'GSI4PK = :pk AND GSI4SK BETWEEN :from AND :to',
        ...(query.componentId ? { FilterExpression: 'componentId = :component' } : {}),
        ExpressionAttributeValues: toAttributes({
          ':pk': gsiPk,
          ':from': range.from,
          ':to': range.to,
          ...(query.componentId ? { ':component': query.componentId } : {}),
        }),
        Limit: query.limit,
        ExclusiveStartKey: query.cursor
          ? decodeCursor(query.cursor, { pk, skPrefix: 'CRED#', gsiPk, index: GSI4, indexSkRange: range })
          : undefined,
      }),
    );
    return {
      items: parseItems(result.Items ?? [], tenantCredentialFromItem(tenantId), onCorruptItem).filter(
        (credential) => range.matches(credential.name),
      ),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  };

  const list = async (tenantId: string, query: ListQuery): Promise<Page<Credential>> => {
    if (query.name !== undefined) return listByName(tenantId, query.name, query);
    const pk = tenantPk(tenantId);
    // One Query whichever the filter: the status index, the component index, or the tenant's range.
    const index = query.status !== undefined ? GSI2 : query.componentId !== undefined ? GSI1 : undefined;
    const gsiPk =
      query.status !== undefined
        ? statusGsiPk(tenantId, query.status)
        : query.componentId !== undefined
          ? componentGsiPk(tenantId, query.componentId)
          : undefined;
    const startKey = query.cursor
      ? decodeCursor(query.cursor, { pk, skPrefix: 'CRED#', gsiPk, ...(index ? { index } : {}) })
      : undefined;
    const range = sortKeyRange('CRED#');
    // On an index the cursor becomes a key condition (ids below the last one seen, newest first):
    // a range read everywhere, where an ExclusiveStartKey makes DynamoDB Local walk the partition.
    const after = index && startKey ? startKey[`${index}SK`]?.S : undefined;
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        ...(index
          ? {
              IndexName: index,
              KeyConditionExpression: `${index}PK = :pk${after ? ` AND ${index}SK < :after` : ''}`,
              ExpressionAttributeValues: toAttributes({
                ':pk': gsiPk,
                ...(after ? { ':after': after } : {}),
              }),
            }
          : {
              KeyConditionExpression: range.condition,
              ExpressionAttributeValues: toAttributes({ ':pk': pk, ...range.values }),
            }),
        // ULID ids sort by creation time: newest first without another index.
        ScanIndexForward: false,
        Limit: query.limit,
        ...(index ? {} : { ExclusiveStartKey: startKey }),
      }),
    );
    return {
      items: parseItems(result.Items ?? [], tenantCredentialFromItem(tenantId), onCorruptItem),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  };

  /** Every item under the tenant's partition whose sort key starts with `prefix`, all pages. */
  const queryPrefix = async (tenantId: string, prefix: string): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    let startKey: Key | undefined;
    do {
      const range = sortKeyRange(prefix);
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: range.condition,
          ExpressionAttributeValues: toAttributes({ ':pk': tenantPk(tenantId), ...range.values }),
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(result.Items ?? []).map(fromAttributes));
      startKey = result.LastEvaluatedKey;
    } while (startKey);
    return items;
  };

  /** The malformed ones skipped and reported, as in every list. */
  const parsedPrefix = async <S extends z.core.$ZodType>(tenantId: string, prefix: string, schema: () => S) =>
    (await queryPrefix(tenantId, prefix)).flatMap((attributes) => {
      const itemKey = { PK: String(attributes.PK), SK: String(attributes.SK) };
      try {
        return [parseItem(schema, itemKey, attributes, () => true)];
      } catch {
        onCorruptItem(itemKey);
        return [];
      }
    });

  /** One Query on the tenant's count items: each component's shards (and unsharded item) summed. */
  const countByComponent = async (tenantId: string): Promise<Record<string, number>> => {
    const counts: Record<string, number> = {};
    for (const { componentId, credentialCount } of await parsedPrefix(tenantId, 'COUNT#', CountItem))
      counts[componentId] = (counts[componentId] ?? 0) + credentialCount;
    return counts;
  };

  const usage = async (tenantId: string, credentialId: string): Promise<CredentialUsage[]> =>
    (await parsedPrefix(tenantId, usagePrefix(credentialId), UsageItem)).map(
      ({ flowId, flowName, flowStatus, stepIds }) => ({ flowId, flowName, flowStatus, stepIds }),
    );

  const listAudit = async (
    tenantId: string,
    credentialId: string,
    query: { limit: number; cursor?: string },
  ) => {
    // The credential's own audit partition, newest first: one Query, whatever else the tenant holds.
    const pk = auditPk(tenantId, credentialId);
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: toAttributes({ ':pk': pk }),
        ScanIndexForward: false,
        Limit: query.limit,
        ExclusiveStartKey: query.cursor ? decodeCursor(query.cursor, { pk, skPrefix: '' }) : undefined,
      }),
    );
    return {
      items: parseItems(result.Items ?? [], auditFromItem, onCorruptItem),
      nextCursor: encodeCursor(result.LastEvaluatedKey),
    };
  };

  return { get, list, listAudit, countByComponent, usage };
};
