import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../../infra/function-catalog.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets, sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';

/**
 * Runs every function's code paths against DynamoDB Local and records the IAM actions its AWS calls
 * need (item-level actions inside transactions included). Each must be granted by the function's
 * role in the CDK stack: a missing grant would only show up as AccessDenied in AWS.
 */
describe("every function's role grants what its code does", () => {
  let service: LocalService;
  let oauth: OAuth2TestServer;
  let token: string;
  const used = new Map<AnyFunctionName, Set<string>>();

  const track = async <T>(functionName: AnyFunctionName, run: () => Promise<T>): Promise<T> => {
    service.calls.reset();
    const result = await run();
    const actions = used.get(functionName) ?? new Set<string>();
    for (const action of service.calls.iamActions) actions.add(action);
    used.set(functionName, actions);
    return result;
  };

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    oauth = await startOAuth2TestServer();
    service.allowVerificationTarget(oauth.url);
    token = await service.token('tenant-iam');
  });
  afterAll(async () => {
    await oauth.stop();
    await service.stop();
  });

  it('exercises every operation', async () => {
    const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      service.api(method, path, { token, body, headers });
    const petstore = { componentId: 'petstore', fields: { apiKey: 'k-1' } };
    const key = { 'idempotency-key': 'iam-coverage-1' };

    const id = (await track('create-credential', () => api('POST', '/credentials', petstore, key))).body
      .id as string;
    await track('create-credential', () => api('POST', '/credentials', petstore, key));
    const other = (await track('create-credential', () => api('POST', '/credentials', petstore))).body
      .id as string;
    await track('get-credential', () => api('GET', `/credentials/${id}`));
    await track('list-credentials', () => api('GET', '/credentials'));
    await track('list-credentials', () => api('GET', '/credentials?componentId=petstore'));
    await track('list-components', () => api('GET', '/components'));
    await track('get-component', () => api('GET', '/components/petstore'));
    await track('update-credential', () =>
      api('PATCH', `/credentials/${id}`, { name: 'n' }, { 'if-match': '"1"' }),
    );
    await track('update-credential', () =>
      api('PATCH', `/credentials/${id}`, { fields: { apiKey: 'k-2' } }, { 'if-match': '"2"' }),
    );
    await track('verify-credential', () => api('POST', `/credentials/${id}/verify`));
    const steps = [{ stepId: 's', componentId: 'petstore', credentialId: id }];
    await track('put-flow', () => api('PUT', '/flows/f', { name: 'f', status: 'active', steps }));
    await track('get-flow', () => api('GET', '/flows/f'));
    await track('list-flows', () => api('GET', '/flows'));
    await track('get-credential-usage', () => api('GET', `/credentials/${id}/usage`));
    expect((await track('delete-credential', () => api('DELETE', `/credentials/${id}`))).status).toBe(409);
    await track('delete-credential', () => api('DELETE', `/credentials/${id}?dryRun=true`));

    const oauthId = (
      await track('create-credential', () =>
        api('POST', '/credentials', {
          componentId: 'oauth2',
          fields: {
            tokenUrl: oauth.tokenUrl,
            clientId: 'client-1',
            clientSecret: 'client-secret-1',
            accessToken: 'old',
            refreshToken: oauth.issueRefreshToken(),
            expiresAt: new Date(Date.now() - 1000).toISOString(),
          },
        }),
      )
    ).body.id as string;
    await api('PUT', '/flows/g', {
      name: 'g',
      status: 'active',
      steps: [{ stepId: 'o', componentId: 'oauth2', credentialId: oauthId }],
    });
    const resolveDeps = buildResolveDependencies(service.deps, {
      cacheTtlMs: 0,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 5_000 },
    });
    const actor = { tenantId: 'tenant-iam', subject: 'workflow' };
    await track('resolve-credential', () =>
      resolveCredential(resolveDeps, actor, {
        flowId: 'g',
        stepId: 'o',
        executionId: 'e',
        credentialId: oauthId,
      }),
    );
    await track('resolve-credential', () =>
      resolveCredential(resolveDeps, actor, { flowId: 'f', stepId: 's', executionId: 'e' }),
    );
    // Re-verifying an OAuth2 credential refreshes it through the same lease as resolve.
    await track('verify-credential', () => api('POST', `/credentials/${oauthId}/verify`));

    await track('replace-credential', () =>
      api('POST', `/credentials/${id}/replace`, { replacementId: other }),
    );
    // A credential only an inactive flow uses: the delete marks the flow in its transaction.
    await api('PUT', '/flows/f', { name: 'f', status: 'inactive', steps });
    await track('delete-flow', () => api('DELETE', '/flows/g'));
    expect((await track('delete-credential', () => api('DELETE', `/credentials/${id}`))).status).toBe(204);
    // Asked again after the secret was scheduled for deletion (the purger's retry): DescribeSecret.
    await track('delete-credential', () =>
      service.deps.secrets.scheduleDeletion({ tenantId: 'tenant-iam', credentialId: id }),
    );
    // A flow item edited outside the service is deleted through its usage items (a Query).
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: { PK: { S: 'T#tenant-iam' }, SK: { S: 'FLOW#f' } },
        UpdateExpression: 'SET steps = :garbage',
        ExpressionAttributeValues: { ':garbage': { S: 'garbage' } },
      }),
    );
    expect((await track('delete-flow', () => api('DELETE', '/flows/f'))).status).toBe(204);
    // A credential the component count never saw: its delete checks the count instead.
    const uncounted = (await api('POST', '/credentials', petstore)).body.id as string;
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: { PK: { S: 'T#tenant-iam' }, SK: { S: 'COUNT#petstore' } },
        UpdateExpression: 'SET credentialCount = :zero',
        ExpressionAttributeValues: { ':zero': { N: '0' } },
      }),
    );
    expect((await track('delete-credential', () => api('DELETE', `/credentials/${uncounted}`))).status).toBe(
      204,
    );
    await track('get-credential-audit', () => api('GET', `/credentials/${id}/audit`));
    await track('get-api-document', () => api('GET', '/openapi.json'));

    // OAuth apps and the connect flow, against the demo provider.
    await track('put-oauth-app', () =>
      api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 'app-secret-1' }),
    );
    await track('put-oauth-app', () =>
      api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 'app-secret-2' }),
    );
    await track('list-oauth-apps', () => api('GET', '/oauth-apps'));
    await track('get-oauth-app', () => api('GET', '/oauth-apps/demo-oauth2'));
    const session = (
      await track('create-connect-session', () =>
        api('POST', '/connect-sessions', { componentId: 'demo-oauth2' }),
      )
    ).body as { sessionId: string; authorizationUrl: string };
    const consented = await fetch(session.authorizationUrl, { redirect: 'manual' });
    const callback = new URL(consented.headers.get('location') ?? '');
    await track('complete-connect', () => service.api('GET', `${callback.pathname}${callback.search}`));
    const connectedId = (
      await track('get-connect-session', () => api('GET', `/connect-sessions/${session.sessionId}`))
    ).body.credentialId as string;
    await api('PUT', '/flows/c', {
      name: 'c',
      status: 'active',
      steps: [{ stepId: 'c', componentId: 'demo-oauth2', credentialId: connectedId }],
    });
    // Re-verifying a connected credential refreshes it with the tenant app's client.
    await track('verify-credential', () => api('POST', `/credentials/${connectedId}/verify`));
    await api('DELETE', '/flows/c');
    await api('DELETE', `/credentials/${connectedId}`);
    await track('delete-oauth-app', () => api('DELETE', '/oauth-apps/demo-oauth2'));
    await track('delete-oauth-app', () =>
      service.deps.secrets.scheduleDeletion({
        tenantId: 'tenant-iam',
        credentialId: 'oauth-app.demo-oauth2',
      }),
    );
    await track('get-api-document', () => api('GET', '/problems/credential_in_use'));
    await track('purge-deleted-secrets', () =>
      purgeDeletedSecrets(service.deps, [{ tenantId: 'tenant-iam', credentialId: id }]),
    );
    await track('sweep-orphan-secrets', () =>
      sweepSecrets(
        { ...service.deps, clock: { now: () => new Date(Date.now() + 3_600_000) } },
        Date.now() + 10_000,
      ),
    );
  });

  it('grants each function exactly the actions it was seen to need (or fewer paths were exercised)', () => {
    expect([...used.keys()].sort()).toEqual(
      Object.keys(FUNCTION_ACCESS)
        .filter((name) => name !== 'publish-lifecycle-events')
        .sort(),
    );
    for (const [functionName, actions] of used) {
      const access = FUNCTION_ACCESS[functionName];
      const granted = new Set([
        ...access.table.map((action) => `dynamodb:${action}`),
        ...access.secrets.map((action) => `secretsmanager:${action}`),
        ...(functionName === 'sweep-orphan-secrets' ? ['secretsmanager:ListSecrets'] : []),
      ]);
      const missing = [...actions].filter((action) => !granted.has(action));
      expect({ functionName, missing }).toEqual({ functionName, missing: [] });
    }
  });
});
