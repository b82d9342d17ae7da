import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSETS_DIRECTORY } from '../../infra/prebuilt-assets.ts';
import { freePort } from '../../local/free-port.ts';
import { allowListEntry } from '../../shared/adapters/verification/network-guard.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { startOAuth2TestServer } from '../support/oauth2-test-server.ts';

interface Outcome {
  readonly name: string;
  readonly error?: string;
  /** A refusal's problem+json, as a direct caller receives it in the error's message. */
  readonly problem?: string;
  readonly result?: {
    readonly id?: string;
    readonly credential?: { readonly id: string; readonly status: string };
    readonly fields?: Record<string, unknown>;
    readonly secrets?: Record<string, string>;
  };
}

const run = promisify(execFile);

/**
 * Runs one direct invocation of each bundle, in order, in a fresh Node process the way Lambda loads
 * them (CommonJS `require`, the environment set before the module initialises), and prints each
 * outcome (the result, or the error's name) on a line of its own after the functions' log lines.
 */
const RUNNER = `
const [directory, steps] = [process.argv[1], JSON.parse(process.argv[2])];
const context = { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 30000 };
(async () => {
  const outcomes = [];
  let credentialId;
  for (const [name, event] of steps) {
    const { handler } = require(directory + '/' + name + '/index.js');
    const filled = JSON.parse(JSON.stringify(event).replaceAll('$credentialId', credentialId ?? ''));
    try {
      const result = await handler(filled, context);
      credentialId ??= result?.credential?.id;
      outcomes.push({ name, result });
    } catch (error) {
      outcomes.push({ name, error: error.name, problem: error.message });
    }
  }
  process.stdout.write('\\nOUTCOMES ' + JSON.stringify(outcomes) + '\\n');
})();
`;

// The tests run the TypeScript sources; this runs what is deployed: the prebuilt bundles the stack's
// functions are made of (built by the suite's global setup, as `npm run build` does).
describe('deployed bundles', () => {
  let service: LocalService;
  let directory: string;

  beforeAll(async () => {
    service = await startLocalService();
    directory = join(ASSETS_DIRECTORY, 'functions');
  }, 120_000);
  afterAll(async () => {
    await service.stop();
  });

  const runBundles = async (
    steps: readonly (readonly [string, unknown])[],
    allowedHosts: readonly string[] = [],
  ): Promise<Outcome[]> => {
    const { config } = service;
    const { stdout } = await run(
      process.execPath,
      ['--no-warnings', '-e', RUNNER, directory, JSON.stringify(steps)],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: config.region,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
          TABLE_NAME: config.tableName,
          DYNAMODB_ENDPOINT: config.dynamoDbEndpoint,
          SECRETS_MANAGER_ENDPOINT: config.secretsManagerEndpoint,
          PETSTORE_BASE_URL: config.petstoreBaseUrl,
          VERIFICATION_ALLOWED_HOSTS: [...config.verificationAllowedHosts, ...allowedHosts].join(','),
        },
      },
    );
    const line = stdout.split('\n').find((text) => text.startsWith('OUTCOMES ')) ?? '';
    return JSON.parse(line.slice('OUTCOMES '.length)) as Outcome[];
  };

  it('create, read, use in a flow, resolve and delete through the bundled functions', async () => {
    const tenantId = 'tenant-bundles';
    const flow = { name: 'Orders', status: 'active', steps: [{ stepId: 'fetch', componentId: 'petstore' }] };
    const steps: [string, unknown][] = [
      [
        'create-credential',
        { tenantId, input: { body: { componentId: 'petstore', fields: { apiKey: 'k-1' } } } },
      ],
      ['get-credential', { tenantId, input: { credentialId: '$credentialId' } }],
      [
        'put-flow',
        {
          tenantId,
          input: {
            flowId: 'orders',
            body: { ...flow, steps: [{ ...flow.steps[0], credentialId: '$credentialId' }] },
          },
        },
      ],
      ['resolve-credential', { tenantId, flowId: 'orders', stepId: 'fetch', executionId: 'exec-1' }],
      ['delete-credential', { tenantId, input: { credentialId: '$credentialId' } }],
      ['delete-flow', { tenantId, input: { flowId: 'orders' } }],
      ['delete-credential', { tenantId, input: { credentialId: '$credentialId' } }],
      ['get-credential', { tenantId, input: { credentialId: '$credentialId' } }],
    ];
    const outcomes = await runBundles(steps);

    expect(outcomes.map((outcome) => outcome.error ?? 'ok')).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'credential_in_use',
      'ok',
      'ok',
      'not_found',
    ]);
    const [created, read, , resolved] = outcomes;
    expect(created?.result?.credential?.status).toBe('verified');
    expect(read?.result?.id).toBe(created?.result?.credential?.id);
    expect(read?.result?.fields).not.toHaveProperty('apiKey');
    expect(resolved?.result?.secrets).toEqual({ apiKey: 'k-1' });
  });

  it('verifies a PostgreSQL credential with the driver bundled beside the handler', async () => {
    // Nothing listens on the port: the driver, loaded from the handler's folder, reports a refused
    // connection, which is an unreachable database (a driver that failed to load would be internal).
    const port = await freePort();
    const fields = {
      host: '127.0.0.1',
      port,
      database: 'app',
      user: 'app',
      password: 'p',
      sslMode: 'disable',
    };
    const [outcome] = await runBundles(
      [
        [
          'create-credential',
          { tenantId: 'tenant-bundles', input: { body: { componentId: 'postgresql', fields } } },
        ],
      ],
      [allowListEntry('127.0.0.1', port)],
    );
    expect(outcome?.error).toBe('verification_failed');
    expect(JSON.parse(outcome?.problem ?? '{}')).toMatchObject({ reason: 'unreachable' });
  });

  it('refreshes an OAuth2 token in the bundled resolve, whose token client loads on that first call', async () => {
    // Tokens that come expired (`expires_in: 0`) are due for refresh at once.
    const provider = await startOAuth2TestServer({ expiresIn: 0 });
    try {
      const tenantId = 'tenant-bundles-oauth2';
      const fields = {
        tokenUrl: provider.tokenUrl,
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        accessToken: provider.issueAccessToken(),
        refreshToken: provider.issueRefreshToken(),
      };
      const allowed = [new URL(provider.tokenUrl).host];
      const flow = { name: 'Sync', status: 'active', steps: [{ stepId: 'pull', componentId: 'oauth2' }] };
      const [created, stored] = await runBundles(
        [
          ['create-credential', { tenantId, input: { body: { componentId: 'oauth2', fields } } }],
          [
            'put-flow',
            {
              tenantId,
              input: {
                flowId: 'sync',
                body: { ...flow, steps: [{ ...flow.steps[0], credentialId: '$credentialId' }] },
              },
            },
          ],
        ],
        allowed,
      );
      expect([created?.error ?? 'ok', stored?.error ?? 'ok']).toEqual(['ok', 'ok']);
      const before = provider.tokenCalls.length;

      // A new process, as a cold Lambda: the stored token is due, so resolve refreshes first.
      const [resolved] = await runBundles(
        [['resolve-credential', { tenantId, flowId: 'sync', stepId: 'pull', executionId: 'exec-1' }]],
        allowed,
      );
      expect(resolved?.error).toBeUndefined();
      expect(provider.tokenCalls.length).toBe(before + 1);
      expect(resolved?.result?.secrets?.accessToken).toMatch(/^at-/);
      expect(resolved?.result?.secrets?.accessToken).not.toBe(fields.accessToken);
    } finally {
      await provider.stop();
    }
  });
});
