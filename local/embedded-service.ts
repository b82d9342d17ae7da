import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { OPERATIONS } from '../api/operations.ts';
import type { HttpFunctionName } from '../api/routes.ts';
import { createCallbackHandler } from '../functions/complete-connect/callback-response.ts';
import { createProxyHandler } from '../functions/proxy-request/proxy-handler.ts';
import { countCallsOf, createAwsCallCounter } from '../shared/adapters/aws/aws-call-counter.ts';
import { allowListEntry } from '../shared/adapters/verification/network-guard.ts';
import { loadBundledComponents } from '../shared/components/index.ts';
import { createCredentialVerifier } from '../shared/composition/credential-verifier.ts';
import { buildDependencies, type DependencyOverrides } from '../shared/composition/dependencies.ts';
import { buildProxyDependencies } from '../shared/composition/proxy-dependencies.ts';
import { resolveSettingsFrom } from '../shared/composition/resolve-dependencies.ts';
import { createTokenRefresher } from '../shared/composition/token-refresher.ts';
import { loadServiceConfig } from '../shared/config/service-config.ts';
import { componentCatalog } from '../shared/domain/component-catalog.ts';
import { createLambdaHandler } from '../shared/lambda/lambda-handler.ts';
import type { Logger } from '../shared/ports/logger.ts';
import { createServiceTable } from './create-table.ts';
import { startOAuth2DemoProvider } from './demo-apis/oauth2-demo-provider.ts';
import { startPetstoreDemoApi } from './demo-apis/petstore-demo-api.ts';
import { freePort } from './free-port.ts';
import { type LambdaHttpHandler, startLocalGateway } from './gateway.ts';
import { createLocalIssuer } from './local-issuer.ts';
import { startLocalSecretsManager } from './secrets-manager/secrets-manager-server.ts';

export interface EmbeddedServiceOptions {
  /** A running DynamoDB Local; the service gets a fresh table in it. */
  readonly dynamoDbEndpoint: string;
  readonly tablePrefix: string;
  readonly logger: Logger;
  /** Which API keys the local Petstore accepts. */
  readonly petstoreAccepts: (apiKey: string) => boolean;
  readonly overrides?: Omit<DependencyOverrides, 'clients' | 'logger'>;
  readonly env?: Record<string, string>;
  /** The console signs in with the demo OAuth2 provider (OpenID Connect) instead of a fragment token. */
  readonly consoleOidc?: boolean;
  /** The local Secrets Manager's clock (epoch seconds), for a benchmark that simulates days. */
  readonly secretsClock?: () => number;
  /** Puts something (a fault-injecting proxy) between the service's clients and an endpoint. */
  readonly routeThrough?: (service: 'dynamodb' | 'secretsmanager', endpoint: string) => Promise<string>;
}

/**
 * The whole service in one process, for tests and benchmarks: its own table, a Secrets Manager
 * endpoint, the demo Petstore, real SDK clients with a call counter, every handler behind the gateway.
 */
export const startEmbeddedService = async (options: EmbeddedServiceOptions) => {
  const secrets = await startLocalSecretsManager(options.secretsClock ? { now: options.secretsClock } : {});
  const petstore = await startPetstoreDemoApi({ accepts: options.petstoreAccepts });
  const oauth2 = await startOAuth2DemoProvider();
  const gatewayPort = await freePort();
  const tableName = `${options.tablePrefix}-${randomUUID()}`;
  const config = loadServiceConfig({
    AWS_REGION: 'us-east-1',
    TABLE_NAME: tableName,
    DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
    SECRETS_MANAGER_ENDPOINT: secrets.endpoint,
    PETSTORE_BASE_URL: petstore.baseUrl,
    VERIFICATION_ALLOWED_HOSTS: [
      allowListEntry('127.0.0.1', Number(new URL(petstore.baseUrl).port)),
      allowListEntry('127.0.0.1', Number(new URL(oauth2.baseUrl).port)),
    ].join(','),
    VERIFICATION_TIMEOUT_MS: '1500',
    DEMO_OAUTH2_BASE_URL: oauth2.baseUrl,
    CONNECT_CALLBACK_URL: `http://127.0.0.1:${gatewayPort}/oauth2/callback`,
    // An app of the tenant's, and this service's own console (as npm start and the stacks allow).
    CONNECT_RETURN_URLS: `https://app.example.test/connected,http://127.0.0.1:${gatewayPort}/console/`,
    ...options.env,
  });
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const route = options.routeThrough ?? (async (_service, endpoint: string) => endpoint);
  const dynamoDb = new DynamoDBClient({
    region: config.region,
    endpoint: await route('dynamodb', config.dynamoDbEndpoint ?? ''),
    credentials,
  });
  const secretsManager = new SecretsManagerClient({
    region: config.region,
    endpoint: await route('secretsmanager', config.secretsManagerEndpoint ?? ''),
    credentials,
  });
  await createServiceTable(dynamoDb, tableName);

  const calls = createAwsCallCounter();
  countCallsOf(dynamoDb, calls);
  countCallsOf(secretsManager, calls);
  const deps = buildDependencies(config, {
    clients: { dynamoDb, secretsManager },
    components: componentCatalog(
      loadBundledComponents({
        petstoreBaseUrl: config.petstoreBaseUrl,
        demoOAuth2BaseUrl: config.demoOAuth2BaseUrl,
      }),
    ),
    logger: options.logger,
    verifier: createCredentialVerifier(config),
    tokens: createTokenRefresher(config),
    ...options.overrides,
  });
  const handlers = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, operation]) => [
      name,
      // The proxy's entry composes its own container (warm cache, API client), as in Lambda.
      name === 'proxy-request'
        ? createProxyHandler(buildProxyDependencies(deps, resolveSettingsFrom(process.env), config))
        : createLambdaHandler(operation, deps),
    ]),
  ) as unknown as Record<HttpFunctionName, LambdaHttpHandler>;
  const issuer = await createLocalIssuer();
  const gateway = await startLocalGateway({
    handlers,
    callbackHandler: createCallbackHandler(deps) as LambdaHttpHandler,
    issuer,
    port: gatewayPort,
    ...(options.consoleOidc
      ? { console: { oidc: { authority: oauth2.baseUrl, clientId: 'credentials-console', scope: 'openid' } } }
      : {}),
  });

  return {
    url: gateway.url,
    config,
    deps,
    calls,
    dynamoDb,
    secretsManager,
    secretsState: secrets.state,
    petstore,
    oauth2,
    issuer,
    handlers,
    /** Lets verification reach one more loopback server (a test's peer), by its URL's host and port. */
    allowVerificationTarget(url: string) {
      const target = new URL(url);
      (config.verificationAllowedHosts as string[]).push(
        allowListEntry(target.hostname, Number(target.port)),
      );
    },
    async stop() {
      await gateway.stop();
      await secrets.stop();
      await petstore.stop();
      await oauth2.stop();
      dynamoDb.destroy();
      secretsManager.destroy();
    },
  };
};
export type EmbeddedService = Awaited<ReturnType<typeof startEmbeddedService>>;
