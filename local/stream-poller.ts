import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

export interface StreamPoller {
  /** Reads every shard once and hands new records to the consumer. */
  pollOnce(): Promise<number>;
  stop(): void;
}

export interface StreamPollerOptions {
  readonly dynamoDb: DynamoDBClient;
  readonly endpoint: string;
  readonly tableName: string;
  /** Like a Lambda stream consumer: throw to fail the batch, or report the records that failed. */
  readonly consume: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | unknown>;
  readonly intervalMs?: number;
  /** Where the last processed sequence number of each shard is kept, to resume after a restart. */
  readonly positionPath?: string;
  /** Where records that failed every attempt go (the stack's on-failure queue). */
  readonly deadLetterPath?: string;
  /** As the stack's event source mapping: retries per record before it is given up. @default 10 */
  readonly retryAttempts?: number;
  readonly batchSize?: number;
}

const readPositions = (path: string | undefined): Record<string, string> => {
  if (!path || !existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
  } catch {
    return {};
  }
};

/**
 * Plays Lambda's event source mapping locally, with its semantics: a batch is retried until it
 * succeeds (a failing batch is split in two to isolate the bad record, and reported item failures
 * are honoured), a record that fails every attempt goes to a dead-letter file, and the position of
 * each shard is saved only after its batch succeeded, so a restart resumes after it instead of
 * re-delivering the last 24 hours.
 */
export const startStreamPoller = async (options: StreamPollerOptions): Promise<StreamPoller> => {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Table } = await options.dynamoDb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`Table ${options.tableName} has no stream.`);
  const retryAttempts = options.retryAttempts ?? 10;
  const positions = readPositions(options.positionPath);
  const iterators = new Map<string, string | undefined>();
  /** Records read but not yet delivered (a retry re-delivers them, not the stream). */
  const pending = new Map<string, StreamRecord[]>();
  const attempts = new Map<string, number>();

  const savePositions = () => {
    if (!options.positionPath) return;
    mkdirSync(dirname(options.positionPath), { recursive: true });
    const temporary = `${options.positionPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(positions));
    renameSync(temporary, options.positionPath);
  };

  const deadLetter = (shardId: string, records: StreamRecord[]) => {
    if (!options.deadLetterPath) return;
    mkdirSync(dirname(options.deadLetterPath), { recursive: true });
    // What Lambda's on-failure destination records: where in the stream, not the item images.
    appendFileSync(
      options.deadLetterPath,
      `${JSON.stringify({
        at: new Date().toISOString(),
        shardId,
        streamArn,
        sequenceNumbers: records.map((record) => record.dynamodb?.SequenceNumber),
        keys: records.map((record) => record.dynamodb?.Keys),
      })}\n`,
    );
  };

  /** Delivers records; returns how many leading records are done (succeeded or dead-lettered). */
  const deliver = async (shardId: string, records: StreamRecord[]): Promise<number> => {
    let failedFrom: number;
    try {
      const result = (await options.consume({
        Records: records as unknown as DynamoDBStreamEvent['Records'],
      })) as DynamoDBBatchResponse | undefined;
      const failures = result?.batchItemFailures ?? [];
      if (failures.length === 0) return records.length;
      const failed = new Set(failures.map((failure) => failure.itemIdentifier));
      failedFrom = records.findIndex((record) => failed.has(record.dynamodb?.SequenceNumber ?? ''));
      if (failedFrom < 0) return records.length;
    } catch {
      failedFrom = 0;
    }
    // Checkpoint before the first failure; retry from there.
    if (failedFrom > 0) return failedFrom;
    const first = records[0]?.dynamodb?.SequenceNumber ?? '';
    const tried = (attempts.get(first) ?? 0) + 1;
    attempts.set(first, tried);
    if (records.length > 1 && tried >= 2) {
      // Bisect: the half without the bad record goes through; the other half keeps retrying.
      const half = Math.ceil(records.length / 2);
      return deliver(shardId, records.slice(0, half));
    }
    if (tried > retryAttempts) {
      deadLetter(shardId, records);
      attempts.delete(first);
      return records.length;
    }
    return 0;
  };

  /** Drains what the shard has now, batch by batch, stopping at a batch that did not go through. */
  const pollShard = async (shardId: string): Promise<number> => {
    let total = 0;
    for (let round = 0; round < 100; round++) {
      const pendingBefore = pending.get(shardId)?.length ?? 0;
      const done = await pollBatch(shardId);
      total += done;
      if (done === 0 || (pending.get(shardId)?.length ?? 0) > 0 || pendingBefore > 0) break;
    }
    return total;
  };

  const pollBatch = async (shardId: string): Promise<number> => {
    let batch = pending.get(shardId) ?? [];
    if (batch.length === 0) {
      if (!iterators.has(shardId)) {
        const after = positions[shardId];
        const { ShardIterator } = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ...(after
              ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after }
              : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        );
        iterators.set(shardId, ShardIterator);
      }
      const iterator = iterators.get(shardId);
      if (!iterator) return 0;
      const { Records, NextShardIterator } = await streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: options.batchSize ?? 100 }),
      );
      iterators.set(shardId, NextShardIterator);
      batch = Records ?? [];
    }
    if (batch.length === 0) return 0;
    const done = await deliver(shardId, batch);
    const last = batch[done - 1]?.dynamodb?.SequenceNumber;
    if (last) {
      positions[shardId] = last;
      savePositions();
    }
    pending.set(shardId, batch.slice(done));
    return done;
  };

  const pollOnce = async (): Promise<number> => {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    let delivered = 0;
    for (const shard of StreamDescription?.Shards ?? []) delivered += await pollShard(shard.ShardId ?? '');
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
