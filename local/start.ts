import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { HTTP_FUNCTION_NAMES, type HttpFunctionName } from '../api/routes.ts';
import { createPublishHandler } from '../functions/publish-lifecycle-events/publish-handler.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../shared/components/descriptors.ts';
import { loadBundledComponents } from '../shared/components/index.ts';
import { addLocalComponents } from '../shared/components/trusted.ts';
import { lambdaDynamoDb } from '../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../shared/composition/lambda-runtime.ts';
import { credentialRepository } from '../shared/composition/ports.ts';
import { createServiceTable } from './create-table.ts';
import { startOAuth2DemoProvider } from './demo-apis/oauth2-demo-provider.ts';
import { DEMO_PETSTORE_KEY, startPetstoreDemoApi } from './demo-apis/petstore-demo-api.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { type LambdaHttpHandler, startLocalGateway } from './gateway.ts';
import { localAwsEnvironment } from './local-aws-environment.ts';
import { loadLocalComponents } from './local-components.ts';
import { localEventSink } from './local-event-sink.ts';
import { createLocalIssuer } from './local-issuer.ts';
import { LOCAL_STATE_DIRECTORY } from './local-paths.ts';
import { startLocalSecretsManager } from './secrets-manager/secrets-manager-server.ts';
import { startStreamPoller } from './stream-poller.ts';
import { localVerificationTargets } from './verification-targets.ts';

const TABLE_NAME = 'credentials-local';
const DEV_TENANT = 'dev-tenant';

/** Only the demo APIs' own ports: never DynamoDB Local, the Secrets Manager endpoint or the gateway. */
/** Fails at once, naming the port and the way out, rather than after every service has started. */
const ensurePortFree = (port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Port ${port} on 127.0.0.1 is in use (another npm start?). Stop that, or choose another port: PORT=3001 npm start`
            : `Cannot listen on 127.0.0.1:${port}: ${error.code ?? error.message}`,
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });

const main = async (): Promise<void> => {
  const port = Number(process.env.PORT ?? 3000);
  await ensurePortFree(port);
  // The descriptors, checked before anything starts: a broken one stops here, naming file and field.
  loadBundledComponents({ ...DEFAULT_COMPONENT_SETTINGS, demoOAuth2BaseUrl: 'http://127.0.0.1' });
  // Components of one's own, checked before anything starts too (their demo URLs come later).
  const localComponentsDir = process.env.LOCAL_COMPONENTS_DIR;
  if (localComponentsDir)
    loadLocalComponents(localComponentsDir, {
      petstoreBaseUrl: 'http://127.0.0.1:1',
      demoOAuth2BaseUrl: 'http://127.0.0.1:1',
    });
  // Whatever starts is stopped on every way out: a failure at any step, Ctrl-C, or a signal.
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => {});
  };
  const shutdown = async () => {
    await stopAll();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // A crash in a server's callback would otherwise leave DynamoDB Local's JVM behind.
  process.once('uncaughtException', (error) => {
    process.stderr.write(`${error.message}\n`);
    void stopAll().then(() => process.exit(1));
  });
  try {
    await serve(port, stops);
  } catch (error) {
    await stopAll();
    throw error;
  }
};

/** Starts local AWS, the demo APIs and the gateway; each registers how it is stopped in `stops`. */
const serve = async (port: number, stops: (() => Promise<void>)[]): Promise<void> => {
  const dynamoDb = await startDynamoDbLocal({ dataDirectory: join(LOCAL_STATE_DIRECTORY, 'dynamodb') });
  stops.push(dynamoDb.stop);
  const secretsManager = await startLocalSecretsManager({
    persistPath: join(LOCAL_STATE_DIRECTORY, 'secrets-manager.json'),
  });
  stops.push(secretsManager.stop);
  const petstore = await startPetstoreDemoApi({ port: Number(process.env.PETSTORE_DEMO_PORT ?? 0) });
  stops.push(petstore.stop);
  const oauth2 = await startOAuth2DemoProvider({ port: Number(process.env.OAUTH2_DEMO_PORT ?? 0) });
  stops.push(oauth2.stop);
  // The demo APIs, the callback URL and where a connect may return to: the same for the server and
  // for `npm run invoke`.
  const demoEnvironment = {
    PETSTORE_BASE_URL: petstore.baseUrl,
    DEMO_OAUTH2_BASE_URL: oauth2.baseUrl,
    // The demo servers, added to what the person set (their own provider or API on loopback).
    VERIFICATION_ALLOWED_HOSTS: localVerificationTargets(
      process.env.VERIFICATION_ALLOWED_HOSTS,
      petstore.baseUrl,
      oauth2.baseUrl,
    ),
    CONNECT_CALLBACK_URL: `http://127.0.0.1:${port}/oauth2/callback`,
    CONNECT_RETURN_URLS: `http://127.0.0.1:${port}/`,
    // Short enough to watch a revoked key become invalid; a deployment re-verifies daily.
    REVERIFY_INTERVAL_SECONDS: process.env.REVERIFY_INTERVAL_SECONDS || '60',
  };
  // Components of one's own (a provider or API on loopback), beside the bundled ones.
  const localComponentsDir = process.env.LOCAL_COMPONENTS_DIR;
  if (localComponentsDir) {
    const local = loadLocalComponents(localComponentsDir, {
      petstoreBaseUrl: petstore.baseUrl,
      demoOAuth2BaseUrl: oauth2.baseUrl,
    });
    addLocalComponents(local);
    process.stdout.write(
      `Local components from ${localComponentsDir}: ${local.map((component) => component.id).join(', ') || 'none'}\n`,
    );
  }
  Object.assign(
    process.env,
    localAwsEnvironment({ dynamoDb: dynamoDb.endpoint, secretsManager: secretsManager.endpoint }, TABLE_NAME),
    // The petstore component points at the local demo API, which verification may reach on loopback.
    {
      ...demoEnvironment,
    },
  );
  const admin = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: 'us-east-1' });
  await createServiceTable(admin, TABLE_NAME);
  admin.destroy();

  // The very handler modules Lambda runs, imported after the environment points at local AWS.
  const handlers = Object.fromEntries(
    await Promise.all(
      HTTP_FUNCTION_NAMES.map(async (name) => {
        const module = (await import(`../functions/${name}/handler.ts`)) as { handler: LambdaHttpHandler };
        return [name, module.handler] as const;
      }),
    ),
  ) as Record<HttpFunctionName, LambdaHttpHandler>;

  // The durable half of delete: the same stream consumer the CDK stack wires to the table.
  const purger = (await import('../functions/purge-deleted-secrets/handler.ts')) as {
    handler: (event: DynamoDBStreamEvent) => Promise<unknown>;
  };
  const streamAdmin = new DynamoDBClient({ endpoint: dynamoDb.endpoint, region: 'us-east-1' });
  // Lifecycle events go to a local sink instead of EventBridge: .local/events.jsonl.
  const events = localEventSink(join(LOCAL_STATE_DIRECTORY, 'events.jsonl'));
  const runtime = lambdaRuntime();
  const localCredentials = credentialRepository(runtime, lambdaDynamoDb(runtime.config));
  // Two consumers, as the stack wires two event source mappings: each with its own position,
  // retries and dead-letter file.
  const consumers = {
    purge: (event: DynamoDBStreamEvent) => purger.handler(event),
    publish: createPublishHandler({ credentials: localCredentials, events }),
  };
  for (const [name, consume] of Object.entries(consumers)) {
    const poller = await startStreamPoller({
      dynamoDb: streamAdmin,
      endpoint: dynamoDb.endpoint,
      tableName: TABLE_NAME,
      consume,
      positionPath: join(LOCAL_STATE_DIRECTORY, 'stream', `${name}.position.json`),
      deadLetterPath: join(LOCAL_STATE_DIRECTORY, 'stream', `${name}.dead-letters.jsonl`),
    });
    stops.push(async () => poller.stop());
  }

  // The hourly sweeper of the stack, every minute locally, so orphans behave as they will in AWS.
  const sweeper = (await import('../functions/sweep-orphan-secrets/handler.ts')) as {
    handler: (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
  };
  const sweepTimer = setInterval(() => {
    // A failing run is told, as CloudWatch would show it: never swallowed.
    sweeper.handler({}, { getRemainingTimeInMillis: () => 60_000 }).catch((error: Error) => {
      process.stderr.write(`sweep-orphan-secrets failed: ${error.name}: ${error.message}\n`);
    });
  }, 60_000);
  stops.push(async () => clearInterval(sweepTimer));

  // Credential health: the stack's 5-minute schedule, here a quarter of the interval (at most a
  // minute), so a revoked key is seen within the interval (REVERIFY_INTERVAL_SECONDS, 60 locally).
  const health = (await import('../functions/verify-due-credentials/handler.ts')) as {
    handler: (event: unknown, context: { getRemainingTimeInMillis(): number }) => Promise<unknown>;
  };
  const intervalSeconds = Number(process.env.REVERIFY_INTERVAL_SECONDS);
  let healthRunning = false;
  const healthTimer = setInterval(
    () => {
      if (healthRunning) return;
      healthRunning = true;
      health
        .handler({ tenantId: DEV_TENANT }, { getRemainingTimeInMillis: () => 60_000 })
        .catch((error: Error) => {
          process.stderr.write(`verify-due-credentials failed: ${error.name}: ${error.message}\n`);
        })
        .finally(() => {
          healthRunning = false;
        });
    },
    Math.min(60_000, Math.max(1000, (intervalSeconds * 1000) / 4)),
  );
  stops.push(async () => clearInterval(healthTimer));

  const issuer = await createLocalIssuer(join(LOCAL_STATE_DIRECTORY, 'issuer-key.json'));
  const callback = (await import('../functions/complete-connect/handler.ts')) as {
    handler: LambdaHttpHandler;
  };
  const gateway = await startLocalGateway({ handlers, callbackHandler: callback.handler, issuer, port });
  stops.push(gateway.stop);
  const token = await issuer.sign(DEV_TENANT);
  // The dev tenant's OAuth app for the demo provider, so Connect works from the first start; once:
  // a later start finds it (or the app someone registered instead) and leaves it as it is.
  const app = `${gateway.url}/oauth-apps/demo-oauth2`;
  const authorization = { authorization: `Bearer ${token}` };
  // Listed rather than read: a read of a missing app is a 404 the log would show as a failure.
  const existing = await fetch(`${gateway.url}/oauth-apps`, { headers: authorization });
  const apps = existing.ok ? ((await existing.json()) as { items: { componentId: string }[] }).items : [];
  if (existing.ok && !apps.some((item) => item.componentId === 'demo-oauth2')) {
    const registered = await fetch(app, {
      method: 'PUT',
      headers: { ...authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'demo-client', clientSecret: 'demo-client-secret' }),
    });
    if (!registered.ok) throw new Error(`Registering the demo OAuth app failed: ${registered.status}`);
  } else if (!existing.ok) {
    throw new Error(`Reading the demo OAuth app failed: ${existing.status}`);
  }
  // For `npm run invoke`, which plays a workflow invoking a function directly.
  writeFileSync(
    join(LOCAL_STATE_DIRECTORY, 'endpoints.json'),
    JSON.stringify({
      ...localAwsEnvironment(
        { dynamoDb: dynamoDb.endpoint, secretsManager: secretsManager.endpoint },
        TABLE_NAME,
      ),
      ...demoEnvironment,
      // The same components of one's own as the server loaded.
      ...(localComponentsDir ? { LOCAL_COMPONENTS_DIR: resolve(localComponentsDir) } : {}),
    }),
  );
  process.stdout.write(
    [
      '',
      `Credentials API listening on ${gateway.url}`,
      `  DynamoDB Local:          ${dynamoDb.endpoint} (table ${TABLE_NAME}, data in ${LOCAL_STATE_DIRECTORY}/dynamodb)`,
      `  Secrets Manager (local): ${secretsManager.endpoint}`,
      `  Petstore demo API:       ${petstore.baseUrl} (demo api key: ${DEMO_PETSTORE_KEY})`,
      '',
      `Dev tenant '${DEV_TENANT}' bearer token (valid 12 h; another tenant: npm run token -- <tenantId>):`,
      token,
      '',
      `Try: curl -s ${gateway.url}/components -H "authorization: Bearer $TOKEN"`,
      `Console (signed in as ${DEV_TENANT}): ${gateway.url}/console/#token=${token}`,
      `API reference: ${gateway.url}/reference (the contract: ${gateway.url}/openapi.json)`,
      `Connect (demo OAuth2 provider at ${oauth2.baseUrl}): curl -sL "$(curl -s ${gateway.url}/connect-sessions -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"componentId":"demo-oauth2"}' | node -pe 'JSON.parse(require("fs").readFileSync(0,"utf8")).authorizationUrl')"`,
      `Workflows: npm run invoke -- resolve-credential '{"tenantId":"${DEV_TENANT}","flowId":"…","stepId":"…","executionId":"run-1"}'`,
      `Lifecycle events: ${join(LOCAL_STATE_DIRECTORY, 'events.jsonl')}`,
      '',
    ].join('\n'),
  );
};

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
