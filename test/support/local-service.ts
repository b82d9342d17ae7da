import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import { OPERATIONS } from '../../functions/operations.ts';
import type { FunctionName } from '../../functions/routes.ts';
import { createServiceTable } from '../../local/create-table.ts';
import { type PetstoreDemoApi, startPetstoreDemoApi } from '../../local/demo-apis/petstore-demo-api.ts';
import { type LambdaHttpHandler, startLocalGateway } from '../../local/gateway.ts';
import { createLocalIssuer, type LocalIssuer } from '../../local/local-issuer.ts';
import { startLocalSecretsManager } from '../../local/secrets-manager/secrets-manager-server.ts';
import type { SecretsManagerState } from '../../local/secrets-manager/secrets-manager-state.ts';
import {
  type AwsCallCounter,
  countCallsOf,
  createAwsCallCounter,
} from '../../shared/adapters/aws/aws-call-counter.ts';
import { fromAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { buildDependencies, type DependencyOverrides } from '../../shared/composition/dependencies.ts';
import { loadServiceConfig, type ServiceConfig } from '../../shared/config/service-config.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import type { CredentialVerifier } from '../../shared/ports/credential-verifier.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';

/**
 * For test files about storage rules (CRUD, flows, bad input), whose credentials point at hosts that
 * do not exist: verification is a port, proved against real local servers in its own tests.
 */
export const acceptingVerifier: CredentialVerifier = { verify: async () => ({ outcome: 'verified' }) };

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  readonly body: any;
}

export interface LocalService {
  readonly url: string;
  readonly config: ServiceConfig;
  readonly deps: UseCaseDependencies;
  readonly calls: AwsCallCounter;
  readonly logLines: string[];
  readonly secretsState: SecretsManagerState;
  readonly petstore: PetstoreDemoApi;
  /** Keys the local Petstore starts refusing, to show a stored credential going bad. */
  readonly revokedPetstoreKeys: Set<string>;
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  readonly issuer: LocalIssuer;
  handlers: Record<FunctionName, LambdaHttpHandler>;
  token(tenantId: string): Promise<string>;
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<ApiResponse>;
  /** Every item of the table, for assertions that nothing secret was stored. */
  scanTable(): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

/**
 * The service as it runs locally, per test file: its own table in the shared DynamoDB Local, its
 * own Secrets Manager endpoint, real SDK clients with a call counter, and the local HTTP gateway.
 */
export const startLocalService = async (
  options: { overrides?: Omit<DependencyOverrides, 'clients' | 'logger'>; env?: Record<string, string> } = {},
): Promise<LocalService> => {
  const secrets = await startLocalSecretsManager();
  // Accepts every key except those that look revoked, so tests can show both outcomes.
  const revokedPetstoreKeys = new Set<string>();
  const petstore = await startPetstoreDemoApi({
    accepts: (apiKey) => !apiKey.startsWith('revoked') && !revokedPetstoreKeys.has(apiKey),
  });
  const tableName = `test-${randomUUID()}`;
  const config = loadServiceConfig({
    AWS_REGION: 'us-east-1',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: inject('dynamoDbEndpoint'),
    SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
    PETSTORE_BASE_URL: petstore.baseUrl,
    VERIFICATION_ALLOWED_HOSTS: '127.0.0.1',
    VERIFICATION_TIMEOUT_MS: '1500',
    ...options.env,
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
  const logLines: string[] = [];
  const log =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      logLines.push(JSON.stringify({ level, message, ...attributes }));
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };

  const deps = buildDependencies(config, {
    clients: { dynamoDb, secretsManager },
    logger,
    ...options.overrides,
  });
  const handlers = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, operation]) => [name, createLambdaHandler(operation, deps)]),
  ) as unknown as Record<FunctionName, LambdaHttpHandler>;
  const issuer = await createLocalIssuer();
  const service = { handlers } as { handlers: Record<FunctionName, LambdaHttpHandler> };
  const gateway = await startLocalGateway({
    handlers: new Proxy({} as Record<FunctionName, LambdaHttpHandler>, {
      get: (_target, name: string) => service.handlers[name as FunctionName],
    }),
    issuer,
  });

  return {
    url: gateway.url,
    config,
    deps,
    calls,
    logLines,
    secretsState: secrets.state,
    petstore,
    revokedPetstoreKeys,
    dynamoDb,
    secretsManager,
    issuer,
    get handlers() {
      return service.handlers;
    },
    set handlers(value) {
      service.handlers = value;
    },
    token: (tenantId) => issuer.sign(tenantId),
    async api(method, path, { token, body, headers = {}, rawBody } = {}) {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      return { status: response.status, headers: response.headers, text, body: parsed };
    },
    async scanTable() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
      do {
        const page = await dynamoDb.send(
          new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
        );
        items.push(...(page.Items ?? []).map(fromAttributes));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async stop() {
      await gateway.stop();
      await secrets.stop();
      await petstore.stop();
      dynamoDb.destroy();
      secretsManager.destroy();
    },
  };
};
