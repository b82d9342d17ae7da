import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { seededCredential } from '../local/seeded-credential.ts';
import { dynamoDbCredentialRepository } from '../shared/adapters/dynamodb/dynamodb-credential-repository.ts';
import { COUNT_SHARDS } from '../shared/adapters/dynamodb/table-layout.ts';
import { auditEntry } from '../shared/domain/audit.ts';
import type { Credential } from '../shared/domain/credential.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';
import type { BenchStack } from './local-stack.ts';

const CONCURRENCY = 50;

/** A credential as a create writes it (the transaction is what is measured, not verification). */
const credentialOf = (tenantId: string, index: number): Credential =>
  seededCredential({
    tenantId,
    id: `01JE${String(index).padStart(22, '0')}.petstore`,
    componentId: 'petstore',
  });

/**
 * A bulk import into one component: `total` creates, 50 at a time, through a proxy that cancels a
 * transaction touching an item another one in flight touches (TransactionConflict, as DynamoDB
 * does; DynamoDB Local serializes instead). With one count item every create collides on it; with
 * the count spread over shards, only creates that share a shard can.
 */
export const benchCountShards = async (stack: BenchStack, total = 1000) => {
  const proxy = await startFaultProxy(stack.dynamoDbEndpoint);
  proxy.setTransactionConflicts(true);
  const client = new DynamoDBClient({
    region: stack.config.region,
    endpoint: proxy.url,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const run = async (label: string, shards: number) => {
    const repository = dynamoDbCredentialRepository(client, stack.config.tableName, 30, () => {}, shards);
    const tenantId = `count-shards-${label}`;
    const conflictsBefore = proxy.conflicts();
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < total) {
          const credential = credentialOf(tenantId, next++);
          await repository
            .create(
              credential,
              undefined,
              auditEntry({ tenantId, subject: 'bench' }, credential, 'created', new Date()),
            )
            .catch(() => failed++);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const counted = (await repository.countByComponent(tenantId)).petstore ?? 0;
    return {
      countItems: shards,
      createsPerSecond: Math.round((total - failed) / seconds),
      failedAfterRetries: failed,
      conflictsAnswered: proxy.conflicts() - conflictsBefore,
      countExact: counted === total - failed,
    };
  };
  try {
    const before = await run('one', 1);
    const after = await run('sharded', COUNT_SHARDS);
    return {
      creates: total,
      concurrency: CONCURRENCY,
      oneCountItem: before,
      shardedCount: after,
      speedup: Math.round((after.createsPerSecond / Math.max(1, before.createsPerSecond)) * 100) / 100,
    };
  } finally {
    client.destroy();
    await proxy.stop();
  }
};
