import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

/** The local stand-in for Lambda's event source mapping keeps its semantics over time. */
describe('local stream poller', () => {
  let service: LocalService;
  let directory: string;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    directory = await mkdtemp(join(tmpdir(), 'poller-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
    await service.stop();
  });

  const put = (sk: string) =>
    service.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: toAttributes({ PK: 'T#poller', SK: sk, entity: 'test' }),
      }),
    );
  const keysOf = (event: DynamoDBStreamEvent) =>
    event.Records.map((record) => record.dynamodb?.Keys?.SK?.S ?? '');
  const poller = (consume: (event: DynamoDBStreamEvent) => Promise<unknown>, name: string) =>
    startStreamPoller({
      dynamoDb: service.dynamoDb,
      endpoint: inject('dynamoDbEndpoint'),
      tableName: service.config.tableName,
      consume,
      intervalMs: 0,
      retryAttempts: 2,
      positionPath: join(directory, `${name}.position.json`),
      deadLetterPath: join(directory, `${name}.dlq.jsonl`),
    });

  it('resumes after its saved position on restart instead of re-delivering', async () => {
    await put('A#1');
    await put('A#2');
    const seen: string[] = [];
    const first = await poller(async (event) => seen.push(...keysOf(event)), 'resume');
    await first.pollOnce();
    first.stop();
    await put('A#3');
    const second = await poller(async (event) => seen.push(...keysOf(event)), 'resume');
    await second.pollOnce();
    second.stop();
    expect(seen.filter((key) => key.startsWith('A#'))).toEqual(['A#1', 'A#2', 'A#3']);
  });

  it('retries a failed batch, isolates a poison record by bisection, and parks it in the dead-letter file', async () => {
    await put('B#1');
    await put('B#poison');
    await put('B#3');
    const delivered: string[] = [];
    const consumer = await poller(async (event) => {
      const keys = keysOf(event).filter((key) => key.startsWith('B#') || key.startsWith('A#'));
      if (keys.includes('B#poison')) throw new Error('cannot process');
      delivered.push(...keys);
    }, 'poison');
    for (let round = 0; round < 12; round++) await consumer.pollOnce();
    consumer.stop();
    expect(delivered.filter((key) => key.startsWith('B#'))).toEqual(['B#1', 'B#3']);
    const parked = (await readFile(join(directory, 'poison.dlq.jsonl'), 'utf8')).trim().split('\n');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toContain('B#poison');
  });

  it('honours reported item failures: retries from the first failed record only', async () => {
    await put('C#1');
    await put('C#2');
    const calls: string[][] = [];
    let failOnce = true;
    const consumer = await poller(async (event) => {
      const keys = keysOf(event).filter((key) => key.startsWith('C#'));
      calls.push(keys);
      const second = event.Records.find((record) => record.dynamodb?.Keys?.SK?.S === 'C#2');
      if (failOnce && second) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber ?? '' }] };
      }
      return { batchItemFailures: [] };
    }, 'partial');
    for (let round = 0; round < 3; round++) await consumer.pollOnce();
    consumer.stop();
    expect(calls.filter((keys) => keys.length > 0)).toEqual([['C#1', 'C#2'], ['C#2']]);
  });
});
