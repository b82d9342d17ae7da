import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Key } from '../shared/adapters/dynamodb/table-layout.ts';
import type { Credential } from '../shared/domain/credential.ts';

/** A stored credential as the service would write it, for seeding benchmarks through the item mapping. */
export const seededCredential = (
  credential: Pick<Credential, 'tenantId' | 'id' | 'componentId'> & Partial<Credential>,
): Credential => {
  const at = credential.createdAt ?? new Date().toISOString();
  return {
    name: null,
    fields: {},
    secretFieldsSet: ['apiKey'],
    secretVersionId: 'seeded',
    status: 'verified',
    statusReason: null,
    lastVerifiedAt: at,
    version: 1,
    activeFlowCount: 0,
    flowCount: 0,
    createdAt: at,
    updatedAt: at,
    createdBy: 'seed',
    updatedBy: 'seed',
    ...credential,
  };
};

/** Batch writes, 25 items a call, several calls in flight: minutes for 200,000 items, not an hour. */
export const writeAll = async (client: DynamoDBClient, tableName: string, items: Key[]) => {
  const batches: Key[][] = [];
  for (let start = 0; start < items.length; start += 25) batches.push(items.slice(start, start + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      let pending = batches[next++]?.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const result = await client.send(
          new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = result.UnprocessedItems?.[tableName] as typeof pending;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
};
