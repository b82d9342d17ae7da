import { appendFileSync } from 'node:fs';
import { type DynamoDBClient, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { inject } from 'vitest';
import type { HttpFunctionName } from '../../api/routes.ts';
import type { OAuth2DemoProvider } from '../../local/demo-apis/oauth2-demo-provider.ts';
import type { PetstoreDemoApi } from '../../local/demo-apis/petstore-demo-api.ts';
import { startEmbeddedService } from '../../local/embedded-service.ts';
import type { LambdaHttpHandler } from '../../local/gateway.ts';
import type { LocalIssuer } from '../../local/local-issuer.ts';
import type { SecretsManagerState } from '../../local/secrets-manager/secrets-manager-state.ts';
import type { AwsCallCounter } from '../../shared/adapters/aws/aws-call-counter.ts';
import { fromAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import type { DependencyOverrides } from '../../shared/composition/dependencies.ts';
import type { ServiceConfig } from '../../shared/config/service-config.ts';
import type { CredentialVerifier } from '../../shared/ports/credential-verifier.ts';
import type { Logger } from '../../shared/ports/logger.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';
import { assertMatchesContract, takeContractCount } from './contract.ts';

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
  /** The demo OAuth2 provider the `demo-oauth2` and `demo-machine` components point at. */
  readonly oauth2: OAuth2DemoProvider;
  /** Keys the local Petstore starts refusing, to show a stored credential going bad. */
  readonly revokedPetstoreKeys: Set<string>;
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
  readonly issuer: LocalIssuer;
  readonly handlers: Record<HttpFunctionName, LambdaHttpHandler>;
  /** Lets verification and refresh reach a test's loopback peer (allow-listed by host and port). */
  allowVerificationTarget(url: string): void;
  token(tenantId: string): Promise<string>;
  api(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string | Buffer },
  ): Promise<ApiResponse>;
  /** Every item of the table, for assertions that nothing secret was stored. */
  scanTable(): Promise<Record<string, unknown>[]>;
  /** Makes an OAuth2 credential's stored access token expired, as time would. */
  expireAccessToken(tenantId: string, credentialId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The service as it runs locally, per test file: its own table in the shared DynamoDB Local, its
 * own Secrets Manager endpoint, real SDK clients with a call counter, and the local HTTP gateway.
 */
export const startLocalService = async (
  options: {
    overrides?: Omit<DependencyOverrides, 'clients' | 'logger'>;
    env?: Record<string, string>;
    routeThrough?: (service: 'dynamodb' | 'secretsmanager', endpoint: string) => Promise<string>;
    /** Which keys the demo Petstore accepts (default: all but those starting with `revoked`). */
    petstoreAccepts?: (apiKey: string) => boolean;
    consoleOidc?: boolean;
  } = {},
): Promise<LocalService> => {
  const logLines: string[] = [];
  const log =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      logLines.push(JSON.stringify({ level, message, ...attributes }));
  const logger: Logger = { info: log('info'), warn: log('warn'), error: log('error') };
  // Accepts every key except those that look revoked, so tests can show both outcomes.
  const revokedPetstoreKeys = new Set<string>();
  const embedded = await startEmbeddedService({
    dynamoDbEndpoint: inject('dynamoDbEndpoint'),
    tablePrefix: 'test',
    logger,
    petstoreAccepts: (apiKey: string) => !apiKey.startsWith('revoked') && !revokedPetstoreKeys.has(apiKey),
    ...options,
  });
  const { dynamoDb, issuer } = embedded;
  const tableName = embedded.config.tableName;

  return {
    ...embedded,
    logLines,
    revokedPetstoreKeys,
    token: (tenantId) => issuer.sign(tenantId),
    async api(method, path, { token, body, headers = {}, rawBody } = {}) {
      const response = await fetch(`${embedded.url}${path}`, {
        method,
        // A redirect (the OAuth2 callback's 303) is an answer to check, not a page to load.
        redirect: 'manual',
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body:
          typeof rawBody === 'object'
            ? new Uint8Array(rawBody)
            : (rawBody ?? (body === undefined ? undefined : JSON.stringify(body))),
      });
      const text = await response.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = null;
      }
      const result = { status: response.status, headers: response.headers, text, body: parsed };
      // Every answer a test receives must be one the OpenAPI document describes.
      assertMatchesContract(method, path, result);
      return result;
    },
    async expireAccessToken(tenantId, credentialId) {
      await dynamoDb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { PK: { S: `T#${tenantId}` }, SK: { S: `CRED#${credentialId}` } },
          UpdateExpression: 'SET #fields.expiresAt = :past',
          ExpressionAttributeNames: { '#fields': 'fields' },
          ExpressionAttributeValues: { ':past': { S: new Date(Date.now() - 60_000).toISOString() } },
        }),
      );
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
      if (process.env.CONTRACT_STATS) {
        appendFileSync(process.env.CONTRACT_STATS, `${takeContractCount()}\n`);
      }
      await embedded.stop();
    },
  };
};
