import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamPoller {
  /** Reads every shard once and hands new records to the consumer. */
  pollOnce(): Promise<number>;
  stop(): void;
}

/**
 * Plays Lambda's event source mapping locally: reads the table's stream on DynamoDB Local and
 * invokes the same consumer the CDK stack wires to the stream.
 */
export const startStreamPoller = async (options: {
  dynamoDb: DynamoDBClient;
  endpoint: string;
  tableName: string;
  consume: (event: DynamoDBStreamEvent) => Promise<unknown>;
  intervalMs?: number;
}): Promise<StreamPoller> => {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Table } = await options.dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream.`);
  const iterators = new Map<string, string | undefined>();

  const pollOnce = async (): Promise<number> => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let delivered = 0;
    for (const shard of StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId ?? '';
      if (!iterators.has(shardId)) {
        const { ShardIterator } = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        iterators.set(shardId, ShardIterator);
      }
      const iterator = iterators.get(shardId);
      if (!iterator) continue;
      const { Records, NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator }),
      );
      iterators.set(shardId, NextShardIterator);
      if (Records && Records.length > 0) {
        await options.consume({ Records: Records as unknown as DynamoDBStreamEvent['Records'] });
        delivered += Records.length;
      }
    }
    return delivered;
  };

  let running = true;
  const loop = async () => {
    while (running) {
      await pollOnce().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1000));
    }
  };
  if (options.intervalMs !== 0) void loop();
  else running = false;
  return {
    pollOnce,
    stop: () => {
      running = false;
      streams.destroy();
    },
  };
};
