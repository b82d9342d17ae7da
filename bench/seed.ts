import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Key } from '../shared/adapters/dynamodb/table-layout.ts';

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
