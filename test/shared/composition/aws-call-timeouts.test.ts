import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Socket } from 'node:net';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../../shared/composition/dynamodb-client.ts';
import { createSecretsManagerClient } from '../../../shared/composition/secrets-manager-client.ts';
import { loadServiceConfig } from '../../../shared/config/service-config.ts';
import { withInvocationSignal } from '../../../shared/lambda/invocation-signal.ts';

/** An endpoint that accepts connections and never answers: what a stuck call looks like. */
describe('AWS clients give up on a call that never answers', () => {
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  let endpoint = '';
  beforeAll(async () => {
    process.env.AWS_ACCESS_KEY_ID ??= 'local';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  const config = () =>
    loadServiceConfig({
      TABLE_NAME: 't',
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: endpoint,
      SECRETS_MANAGER_ENDPOINT: endpoint,
    });

  it('DynamoDB: a request timeout ends it (instead of the SDK waiting for the socket)', async () => {
    const client = createDynamoDbClient(config());
    const error = await client
      .send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'a' }, SK: { S: 'b' } } }))
      .catch((caught: unknown) => caught as Error);
    expect((error as Error).name).toBe('TimeoutError');
    client.destroy();
  }, 30_000);

  it('Secrets Manager: likewise', async () => {
    const client = createSecretsManagerClient(config());
    const error = await client
      .send(new GetSecretValueCommand({ SecretId: 'x' }))
      .catch((caught: unknown) => caught as Error);
    expect((error as Error).name).toBe('TimeoutError');
    client.destroy();
  }, 30_000);

  it('a call still waiting when its invocation ends is abandoned with it, not retried', async () => {
    const client = createDynamoDbClient(config());
    const invocation = new AbortController();
    const attempts: Socket[] = [];
    silent.on('connection', (socket) => attempts.push(socket));
    const call = withInvocationSignal(invocation.signal, () =>
      client.send(new GetItemCommand({ TableName: 't', Key: { PK: { S: 'a' }, SK: { S: 'b' } } })),
    ).catch((caught: unknown) => caught as Error);
    // The request is on the wire (the endpoint holds it): now the invocation ends.
    await once(silent, 'connection');
    invocation.abort();
    expect(((await call) as Error).name).toBe('AbortError');
    expect(attempts).toHaveLength(1);
    client.destroy();
  });
});
