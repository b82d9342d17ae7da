import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OPERATIONS } from '../functions/operations.ts';
import type { FunctionName } from '../functions/routes.ts';
import { createServiceTable } from '../local/create-table.ts';
import { startPetstoreDemoApi } from '../local/demo-apis/petstore-demo-api.ts';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { type LambdaHttpHandler, startLocalGateway } from '../local/gateway.ts';
import { createLocalIssuer } from '../local/local-issuer.ts';
import { startLocalSecretsManager } from '../local/secrets-manager/secrets-manager-server.ts';
import { countCallsOf, createAwsCallCounter } from '../shared/adapters/aws/aws-call-counter.ts';
import { buildDependencies } from '../shared/composition/dependencies.ts';
import { loadServiceConfig } from '../shared/config/service-config.ts';
import { createLambdaHandler } from '../shared/lambda/lambda-handler.ts';
import { silentLogger } from '../shared/ports/logger.ts';

/** The service wired exactly as in the tests, on a fresh in-memory DynamoDB Local. */
export const startBenchStack = async () => {
  const dynamoDbLocal = await startDynamoDbLocal();
  const secrets = await startLocalSecretsManager();
  // Verification runs for real, against the local Petstore (a loopback round trip per create).
  const petstore = await startPetstoreDemoApi({ accepts: () => true });
  const tableName = `bench-${randomUUID()}`;
  const config = loadServiceConfig({
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: dynamoDbLocal.endpoint,
    SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
    PETSTORE_BASE_URL: petstore.baseUrl,
    VERIFICATION_ALLOWED_HOSTS: '127.0.0.1',
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamoDb = new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamoDbEndpoint,
    credentials,
  });
  const secretsManager = new SecretsManagerClient({
    region: config.region,
    endpoint: config.secretsManagerEndpoint,
    credentials,
  });
  await createServiceTable(dynamoDb, tableName);
  const calls = createAwsCallCounter();
  countCallsOf(dynamoDb, calls);
  countCallsOf(secretsManager, calls);
  const deps = buildDependencies(config, { clients: { dynamoDb, secretsManager }, logger: silentLogger });
  const handlers = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, operation]) => [name, createLambdaHandler(operation, deps)]),
  ) as unknown as Record<FunctionName, LambdaHttpHandler>;
  const issuer = await createLocalIssuer();
  const gateway = await startLocalGateway({ handlers, issuer });
  return {
    url: gateway.url,
    dynamoDbEndpoint: dynamoDbLocal.endpoint,
    config,
    deps,
    calls,
    dynamoDb,
    secretsManager,
    issuer,
    handlers,
    /** The API Gateway v2 event the JWT authorizer would forward, for handler-only timings. */
    async httpEvent(method: string, path: string, pathParameters: Record<string, string>, token: string) {
      const claims = Object.fromEntries(
        Object.entries(await issuer.verify(token)).map(([k, v]) => [k, String(v)]),
      );
      return {
        version: '2.0',
        routeKey: `${method} ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: {},
        pathParameters,
        isBase64Encoded: false,
        requestContext: { http: { method, path }, authorizer: { jwt: { claims, scopes: [] } } },
      } as unknown as Parameters<LambdaHttpHandler>[0];
    },
    async api(
      method: string,
      path: string,
      token: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      await gateway.stop();
      await secrets.stop();
      await petstore.stop();
      dynamoDb.destroy();
      secretsManager.destroy();
      await dynamoDbLocal.stop();
    },
  };
};
export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

export const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs the candidates in turn, sample by sample, so drift (JIT, GC, the emulator warming up) hits all alike. */
export const interleaved = async (runs: number, candidates: Record<string, () => Promise<unknown>>) => {
  const entries = Object.entries(candidates);
  for (let warm = 0; warm < 200; warm++) for (const [, run] of entries) await run();
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as number[]]));
  for (let index = 0; index < runs; index++) {
    for (const [name, run] of entries) {
      const start = performance.now();
      await run();
      samples[name]?.push(performance.now() - start);
    }
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      { runs, medianMs: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)) },
    ]),
  );
};

export const timed = async (runs: number, run: () => Promise<unknown>) => {
  for (let warm = 0; warm < 20; warm++) await run();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  return { runs, medianMs: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)) };
};
