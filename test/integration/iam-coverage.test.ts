import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../../infra/function-catalog.ts';
import { countCallsOf } from '../../shared/adapters/aws/aws-call-counter.ts';
import type { IamRequest } from '../../shared/adapters/aws/iam-requests.ts';
import { countShardOf, countSk } from '../../shared/adapters/dynamodb/table-layout.ts';
import { eventBridgeEventPublisher } from '../../shared/adapters/eventbridge/eventbridge-event-publisher.ts';
import { buildProxyDependencies } from '../../shared/composition/proxy-dependencies.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import type { AuditEntry } from '../../shared/domain/audit.ts';
import { proxyRequest } from '../../shared/use-cases/proxy-request.ts';
import { publishLifecycleEvents } from '../../shared/use-cases/publish-lifecycle-events.ts';
import { reportRejected } from '../../shared/use-cases/report-rejected.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets, sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { verifyDueCredentials } from '../../shared/use-cases/verify-due-credentials.ts';
import { type EvaluatedRequest, evaluate, inStack, synthesizeTenant } from '../support/iam-evaluation.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';

/**
 * Runs every function's code paths against DynamoDB Local and the local Secrets Manager and records
 * what IAM would see of each AWS call (action, resource, leading keys, request tags; each item of a
 * transaction). Each call is then evaluated with an IAM policy simulator against the role that
 * function has in the synthesized stack: a missing grant would otherwise only show up as
 * AccessDenied in AWS.
 */
describe("every function's role allows every call its code makes", () => {
  let service: LocalService;
  let oauth: OAuth2TestServer;
  let token: string;
  const used = new Map<AnyFunctionName, IamRequest[]>();
  const LOCAL_BUS = 'local-lifecycle-events';
  let firstCredential = '';
  const stack = synthesizeTenant({
    id: 'tenant-iam',
    jwtIssuer: 'https://issuer.example/',
    jwtAudience: ['credentials-api'],
  });

  const track = async <T>(functionName: AnyFunctionName, run: () => Promise<T>): Promise<T> => {
    service.calls.reset();
    const result = await run();
    used.set(functionName, [...(used.get(functionName) ?? []), ...service.calls.iamRequests]);
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
    firstCredential = id;
    await track('create-credential', () => api('POST', '/credentials', petstore, key));
    const other = (await track('create-credential', () => api('POST', '/credentials', petstore))).body
      .id as string;
    await track('get-credential', () => api('GET', `/credentials/${id}`));
    await track('list-credentials', () => api('GET', '/credentials'));
    await track('list-credentials', () => api('GET', '/credentials?componentId=petstore'));
    // Each index a listing reads: by status, and by the start of a name (of one component too).
    await track('list-credentials', () => api('GET', '/credentials?status=invalid'));
    await track('list-credentials', () => api('GET', '/credentials?name=n'));
    await track('list-credentials', () => api('GET', '/credentials?name=n&componentId=petstore'));
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
    // A warm container's hit: one conditional write checking the usage item and the credential's version.
    const warm = buildResolveDependencies(service.deps, {
      cacheTtlMs: 30_000,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 5_000 },
    });
    for (const executionId of ['warm-1', 'warm-2'])
      await track('resolve-credential', () =>
        resolveCredential(warm, actor, { flowId: 'f', stepId: 's', executionId }),
      );
    // The proxy: resolve's reads and conditional write, cold and warm, around the API call.
    const proxyDeps = buildProxyDependencies(
      service.deps,
      { cacheTtlMs: 30_000, refreshMarginMs: 60_000, refresh: { leaseWaitMs: 5_000 } },
      service.config,
    );
    for (const executionId of ['proxy-1', 'proxy-2'])
      await track('proxy-request', () =>
        proxyRequest(proxyDeps, actor, {
          flowId: 'f',
          stepId: 's',
          executionId,
          request: { method: 'GET', path: '/store/inventory' },
        }),
      );
    // Re-verifying an OAuth2 credential refreshes it through the same lease as resolve.
    await track('verify-credential', () => api('POST', `/credentials/${oauthId}/verify`));
    // The scheduled check, two days on: the due index, each credential's check (a refresh for OAuth2).
    await track('verify-due-credentials', () =>
      verifyDueCredentials(
        { ...service.deps, clock: { now: () => new Date(Date.now() + 2 * 86_400_000) } },
        'tenant-iam',
        { deadline: Date.now() + 30_000 },
      ),
    );
    // An early refresh (the scheduled one above takes it too) first takes one of the second's
    // Secrets Manager writes: a counter item of its own key shape in the tenant's partition.
    for (const name of ['resolve-credential', 'proxy-request'] as const)
      await track(name, () => service.deps.leases.takeWriteSlot('tenant-iam', new Date(), 30));
    // A workflow's report of a rejected credential: resolve's role makes it due now.
    await track('resolve-credential', () =>
      reportRejected(resolveDeps, actor, { flowId: 'f', stepId: 's', executionId: 'report' }),
    );

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
        Key: { PK: { S: 'T#tenant-iam' }, SK: { S: countSk('petstore', countShardOf(uncounted)) } },
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
    // Its provider takes revocations: the purger revokes its refresh token, then deletes its secret.
    await track('purge-deleted-secrets', () =>
      purgeDeletedSecrets(service.deps, [{ tenantId: 'tenant-iam', credentialId: connectedId }]),
    );
    await track('delete-oauth-app', () => api('DELETE', '/oauth-apps/demo-oauth2'));
    await track('delete-oauth-app', () =>
      service.deps.secrets.scheduleDeletion({
        tenantId: 'tenant-iam',
        credentialId: 'oauth-app.demo-oauth2',
      }),
    );
    // Registered again while its old secret is in its recovery window: the secret is restored.
    expect(
      (
        await track('put-oauth-app', () =>
          api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 'app-secret-3' }),
        )
      ).status,
    ).toBe(201);
    await api('DELETE', '/oauth-apps/demo-oauth2');
    await track('get-api-document', () => api('GET', '/problems/credential_in_use'));
    await track('purge-deleted-secrets', () =>
      purgeDeletedSecrets(service.deps, [{ tenantId: 'tenant-iam', credentialId: id }]),
    );
    await track('sweep-orphan-secrets', () =>
      sweepSecrets(
        // As deployed: each stack's sweeper is scoped to its tenant (TENANT_ID).
        {
          ...service.deps,
          tenantScope: 'tenant-iam',
          clock: { now: () => new Date(Date.now() + 3_600_000) },
        },
        Date.now() + 10_000,
      ),
    );
  });

  it('publishes lifecycle events to the bus', async () => {
    // EventBridge has no local emulator: a loopback endpoint accepts every entry, and the publisher's
    // real client (with the call counter) sends to it.
    const bus = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        response.end(JSON.stringify({ FailedEntryCount: 0, Entries: [{ EventId: '1' }] }));
      });
    });
    await new Promise<void>((listening) => bus.listen(0, '127.0.0.1', listening));
    try {
      const client = new EventBridgeClient({
        region: service.config.region,
        endpoint: `http://127.0.0.1:${(bus.address() as AddressInfo).port}`,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      });
      countCallsOf(client, service.calls);
      const audit = (await service.api('GET', `/credentials/${firstCredential}/audit`, { token })).body
        .items as AuditEntry[];
      expect(audit.length).toBeGreaterThan(0);
      // Each event with the flows that use its credential: one Query of its usage items.
      await track('publish-lifecycle-events', () =>
        publishLifecycleEvents(
          { credentials: service.deps.credentials, events: eventBridgeEventPublisher(client, LOCAL_BUS) },
          [
            ...audit.map((record) => ({ ...record, tenantId: 'tenant-iam' })),
            // A delete's record names no credential: the publisher reads its last name (a Query of
            // the credential's audit partition), which its role must allow too.
            {
              ...(audit[0] as AuditEntry),
              tenantId: 'tenant-iam',
              action: 'deleted' as const,
              credentialName: undefined,
            },
          ],
        ),
      );
    } finally {
      bus.close();
    }
  });

  it('refuses what the roles do not grant: another tenant, another key use, an untagged secret', async () => {
    const role = stack.roles.get('create-credential');
    if (!role) throw new Error('no create-credential role');
    const table = `arn:aws:dynamodb:${stack.region}:${stack.account}:table/${stack.tableName}`;
    const secret = `arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:credentials/tenant-iam/x-AbCdEf`;
    const decisions = await Promise.all(
      (
        [
          {
            action: 'dynamodb:PutItem',
            resource: table,
            context: { 'dynamodb:LeadingKeys': ['T#tenant-iam'] },
          },
          { action: 'dynamodb:PutItem', resource: table, context: { 'dynamodb:LeadingKeys': ['T#other'] } },
          { action: 'dynamodb:DeleteTable', resource: table, context: {} },
          {
            action: 'secretsmanager:CreateSecret',
            resource: secret,
            context: { 'aws:RequestTag/tenant': 'x' },
          },
          {
            action: 'secretsmanager:GetSecretValue',
            resource: secret.replace('tenant-iam', 'other'),
            context: {},
          },
          {
            action: 'kms:Decrypt',
            resource: stack.keyArn,
            context: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' },
          },
        ] as EvaluatedRequest[]
      ).map((request) => evaluate(stack, role, request)),
    );
    expect(decisions).toEqual(['Allowed', ...Array(5).fill('ImplicitlyDenied')]);
  });

  it('allows each recorded call by the synthesized role of the function that made it', async () => {
    expect([...used.keys()].sort()).toEqual(Object.keys(FUNCTION_ACCESS).sort());
    const local = { tableName: service.config.tableName, eventBusName: LOCAL_BUS };
    const refused: unknown[] = [];
    const evaluated: Record<string, number> = {};
    for (const [functionName, requests] of used) {
      const role = stack.roles.get(functionName);
      if (!role) throw new Error(`The stack has no function ${functionName}`);
      const own = requests.map((request) => inStack(stack, local, request));
      const access = FUNCTION_ACCESS[functionName];
      // A function granted table or secret actions was seen making such calls.
      expect({ functionName, calls: own.length > 0 }).toEqual({
        functionName,
        calls: access.table.length + access.secrets.length > 0 || functionName === 'publish-lifecycle-events',
      });
      const distinct = new Map(
        [...own, ...role.platformRequests].map((request) => [JSON.stringify(request), request]),
      );
      evaluated[functionName] = distinct.size;
      for (const request of distinct.values()) {
        const decision = await evaluate(stack, role, request);
        if (decision !== 'Allowed') refused.push({ functionName, decision, ...request });
      }
    }
    console.info(
      `IAM evaluation, distinct calls per function:\n${Object.entries(evaluated)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, count]) => `  ${name}: ${count}`)
        .join('\n')}`,
    );
    expect(refused).toEqual([]);
  });
});
