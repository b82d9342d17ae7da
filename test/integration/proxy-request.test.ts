import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyHandler } from '../../functions/proxy-request/proxy-handler.ts';
import { fingerprint } from '../../local/demo-apis/petstore-demo-api.ts';
import { buildProxyDependencies } from '../../shared/composition/proxy-dependencies.ts';
import {
  type ProxyDependencies,
  type ProxyInput,
  proxyRequest,
} from '../../shared/use-cases/proxy-request.ts';
import { reportRejected } from '../../shared/use-cases/report-rejected.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';

const tenant = 'tenant-proxy';
const actor = { tenantId: tenant, subject: 'arn:aws:states:eu-west-1:1:execution:sync:run-1' };

describe('the proxy: workflows call component APIs without holding the secret', () => {
  let service: LocalService;
  let oauth: OAuth2TestServer;
  let token: string;
  /** A fresh proxy "container": its own warm cache and API client, the same table and secrets. */
  const container = (cacheTtlMs = 30_000): ProxyDependencies =>
    buildProxyDependencies(
      service.deps,
      { cacheTtlMs, refreshMarginMs: 60_000, refresh: { leaseWaitMs: 5_000 } },
      service.config,
    );
  const create = async (body: unknown) => {
    const created = await service.api('POST', '/credentials', { token, body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const activate = (flowId: string, componentId: string, credentialId: string, status = 'active') =>
    service.api('PUT', `/flows/${flowId}`, {
      token,
      body: { name: flowId, status, steps: [{ stepId: 'call', componentId, credentialId }] },
    });
  const petstoreFlow = async (apiKey: string, flowId: string) => {
    const id = await create({ componentId: 'petstore', fields: { apiKey } });
    await activate(flowId, 'petstore', id);
    return id;
  };
  const call = (deps: ProxyDependencies, flowId: string, request: ProxyInput['request']) =>
    proxyRequest(deps, actor, { flowId, stepId: 'call', executionId: 'exec-1', request });

  beforeAll(async () => {
    service = await startLocalService();
    oauth = await startOAuth2TestServer();
    service.allowVerificationTarget(oauth.url);
    token = await service.token(tenant);
  });
  afterAll(async () => {
    await oauth.stop();
    await service.stop();
  });

  it('sends the request with the credential to its API and answers status, headers and JSON; warm, one AWS call', async () => {
    await petstoreFlow('proxy-key-1', 'pets');
    const deps = container();
    service.calls.reset();
    const first = await call(deps, 'pets', {
      method: 'GET',
      path: '/pet/findByStatus',
      query: { status: ['available', 'pending'] },
    });
    const coldCalls = [...service.calls.calls];
    service.calls.reset();
    const second = await call(deps, 'pets', { method: 'GET', path: '/pet/1' });

    expect(first).toMatchObject({
      status: 200,
      bodyEncoding: 'json',
      body: [{ id: 1, name: 'Rex', status: 'available' }],
      headers: { 'content-type': 'application/json' },
    });
    expect(second.body).toEqual({ id: 1, name: 'Rex', status: 'available' });
    expect(service.petstore.requests.at(-1)).toEqual({
      path: '/v2/pet/1',
      apiKeyFingerprint: fingerprint('proxy-key-1'),
    });
    // The step's credential from the flow, both checked before the secret is read; the record
    // written in the conditional write that authorizes the request, then completed with its answer.
    expect(coldCalls).toEqual([
      'GetItem',
      'TransactGetItems',
      'GetSecretValue',
      'TransactWriteItems',
      'UpdateItem',
    ]);
    // Warm: the conditional write that re-authorizes before sending, and the outcome.
    expect(service.calls.calls).toEqual(['TransactWriteItems', 'UpdateItem']);
  });

  it('records each call in the audit: method, path without the query, status, duration; never a body', async () => {
    const id = await petstoreFlow('proxy-key-audit', 'audited');
    await call(container(), 'audited', {
      method: 'POST',
      path: '/pet',
      query: { note: 'query-value-not-kept' },
      body: { name: 'Body-value-not-kept', status: 'available' },
    });
    const audit = await service.api('GET', `/credentials/${id}/audit`, { token });
    const record = audit.body.items[0];
    expect(record).toMatchObject({
      action: 'proxied',
      detail: 'sent',
      flowId: 'audited',
      stepId: 'call',
      executionId: 'exec-1',
      request: { method: 'POST', path: '/pet', status: 200 },
    });
    expect(record.request.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(audit.body)).not.toMatch(/query-value-not-kept|Body-value-not-kept/);
  });

  it('masks a secret the API echoes, in headers and body, and in a refusal’s body', async () => {
    await petstoreFlow('proxy-echoed-key-1234', 'echo');
    const answer = await call(container(), 'echo', { method: 'GET', path: '/debug/headers' });
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer)).not.toContain('proxy-echoed-key-1234');
    expect(answer.headers['x-echoed-key']).toBe('***');
    expect((answer.body as { headers: Record<string, string> }).headers.api_key).toBe('***');

    await petstoreFlow('proxy-key-revoked-5678', 'echo-refused');
    service.revokedPetstoreKeys.add('proxy-key-revoked-5678');
    const refused = await call(container(), 'echo-refused', { method: 'GET', path: '/store/inventory' });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(refused)).not.toContain('proxy-key-revoked-5678');
    expect(refused.body).toEqual({ code: 401, message: 'invalid api_key ***' });
  });

  it('refuses a path that is a URL, a host, a userinfo form or leaves the API base, before any call', async () => {
    await petstoreFlow('proxy-key-paths', 'paths');
    const handler = createProxyHandler(container());
    const before = service.petstore.requests.length;
    service.calls.reset();
    for (const path of [
      'https://evil.example/x',
      '//evil.example/x',
      'user:pw@evil.example/x',
      '/../admin',
      '/pet/%2e%2e/%2E%2E/admin',
      '/pet?status=sold',
      '/pet#x',
      '/pet\\..\\admin',
    ]) {
      const failure = await handler(
        {
          tenantId: tenant,
          flowId: 'paths',
          stepId: 'call',
          executionId: 'e',
          request: { method: 'GET', path },
        },
        {} as Context,
      ).catch((error: Error) => error);
      expect({ path, name: (failure as Error).name }).toEqual({ path, name: 'validation_failed' });
      expect(JSON.parse((failure as Error).message).errors[0].path).toBe('request.path');
    }
    const deps = container();
    await expect(
      call(deps, 'paths', { method: 'GET', path: '/pet/1', headers: { api_key: 'other-key' } }),
    ).rejects.toMatchObject({ code: 'validation_failed', issues: [{ path: 'request.headers.api_key' }] });
    await expect(
      call(deps, 'paths', { method: 'GET', path: '/pet/1', headers: { Authorization: 'Bearer x' } }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect(service.petstore.requests.length).toBe(before);
    expect(service.calls.count('GetSecretValue')).toBe(1);
  });

  it('never follows a redirect to another origin: the 3xx is the answer', async () => {
    await petstoreFlow('proxy-key-redirect', 'redirect');
    const answer = await call(container(), 'redirect', { method: 'GET', path: '/store/moved' });
    expect(answer).toMatchObject({
      status: 302,
      headers: { location: 'http://127.0.0.2:9/v2/store/inventory' },
    });
  });

  it('answers binary bodies as base64, and refuses one larger than a Lambda answer can carry', async () => {
    await petstoreFlow('proxy-key-export', 'export');
    const deps = container();
    const small = await call(deps, 'export', {
      method: 'GET',
      path: '/store/export',
      query: { bytes: '16' },
    });
    expect(small).toMatchObject({ status: 200, bodyEncoding: 'base64' });
    expect(Buffer.from(small.body as string, 'base64')).toEqual(Buffer.alloc(16, 7));
    await expect(
      call(deps, 'export', {
        method: 'GET',
        path: '/store/export',
        query: { bytes: String(5 * 1024 * 1024) },
      }),
    ).rejects.toMatchObject({ code: 'api_response_too_large', extensions: { limitBytes: 4 * 1024 * 1024 } });
  });

  it('refuses a paused flow, another step and an unproxyable component without reading a secret', async () => {
    const id = await petstoreFlow('proxy-key-paused', 'paused');
    await activate('paused', 'petstore', id, 'inactive');
    const before = service.petstore.requests.length;
    service.calls.reset();
    await expect(call(container(), 'paused', { method: 'GET', path: '/pet/1' })).rejects.toMatchObject({
      code: 'flow_not_active',
    });
    await expect(
      proxyRequest(container(), actor, {
        flowId: 'pets',
        stepId: 'other',
        executionId: 'e',
        request: { method: 'GET', path: '/pet/1' },
      }),
    ).rejects.toMatchObject({ code: 'step_not_found' });
    await expect(
      proxyRequest(container(), actor, {
        flowId: 'pets',
        stepId: 'call',
        executionId: 'e',
        credentialId: '01J00000000000000000000000.postgresql',
        request: { method: 'GET', path: '/' },
      }),
    ).rejects.toMatchObject({ code: 'proxy_unsupported' });
    expect(service.calls.count('GetSecretValue')).toBe(0);
    expect(service.petstore.requests.length).toBe(before);
  });

  describe('in one warm container, nothing is sent for a step that may not send at that moment', () => {
    const sentWith = () => service.petstore.requests.map((request) => request.apiKeyFingerprint);
    const auditOf = async (id: string) =>
      (await service.api('GET', `/credentials/${id}/audit`, { token })).body.items as {
        action: string;
        detail?: string;
        request?: { method: string; status: number };
      }[];
    const patchKey = async (id: string, apiKey: string) => {
      const current = await service.api('GET', `/credentials/${id}`, { token });
      const patched = await service.api('PATCH', `/credentials/${id}`, {
        token,
        body: { fields: { apiKey } },
        headers: { 'if-match': current.headers.get('etag') ?? '' },
      });
      expect(patched.status).toBe(200);
    };

    it('pause: the next POST is refused before it is sent, and the refusal is in the audit', async () => {
      const id = await petstoreFlow('warm-pause-key-1', 'warm-pause');
      const deps = container();
      await call(deps, 'warm-pause', { method: 'GET', path: '/pet/1' });
      await activate('warm-pause', 'petstore', id, 'inactive');
      const before = service.petstore.requests.length;
      await expect(
        call(deps, 'warm-pause', { method: 'POST', path: '/pet', body: { name: 'Ghost', status: 'sold' } }),
      ).rejects.toMatchObject({ code: 'flow_not_active' });
      expect(service.petstore.requests.length).toBe(before);
      const audit = await auditOf(id);
      expect(audit[0]).toMatchObject({ action: 'proxied', detail: 'refused:flow_not_active' });
      expect(audit[1]).toMatchObject({
        action: 'proxied',
        detail: 'sent',
        request: { method: 'GET', status: 200 },
      });
    });

    it('move: the step’s new credential is sent; pinned to the old one, nothing is', async () => {
      const oldId = await petstoreFlow('warm-move-old-key', 'warm-move');
      const deps = container();
      await call(deps, 'warm-move', { method: 'GET', path: '/pet/1' });
      const newId = await create({ componentId: 'petstore', fields: { apiKey: 'warm-move-new-key' } });
      await activate('warm-move', 'petstore', newId);
      await call(deps, 'warm-move', { method: 'GET', path: '/pet/2' });
      expect(sentWith().at(-1)).toBe(fingerprint('warm-move-new-key'));
      const before = service.petstore.requests.length;
      await expect(
        proxyRequest(deps, actor, {
          flowId: 'warm-move',
          stepId: 'call',
          executionId: 'exec-1',
          credentialId: oldId,
          request: { method: 'POST', path: '/pet', body: { name: 'Ghost' } },
        }),
      ).rejects.toMatchObject({ code: 'credential_not_used_by_step' });
      expect(service.petstore.requests.length).toBe(before);
    });

    it('replace: the credential that receives the steps is sent', async () => {
      const oldId = await petstoreFlow('warm-replace-old-key', 'warm-replace');
      const deps = container();
      await call(deps, 'warm-replace', { method: 'GET', path: '/pet/1' });
      const newId = await create({ componentId: 'petstore', fields: { apiKey: 'warm-replace-new-key' } });
      const replaced = await service.api('POST', `/credentials/${oldId}/replace`, {
        token,
        body: { replacementId: newId },
      });
      expect(replaced.status).toBeLessThan(300);
      await call(deps, 'warm-replace', { method: 'POST', path: '/pet', body: { name: 'Moved' } });
      expect(sentWith().at(-1)).toBe(fingerprint('warm-replace-new-key'));
      expect(sentWith()).not.toContain(undefined);
    });

    it('PATCH: the fixed key is sent, never the cached one', async () => {
      const id = await petstoreFlow('warm-patch-key-1', 'warm-patch');
      const deps = container();
      await call(deps, 'warm-patch', { method: 'GET', path: '/pet/1' });
      await patchKey(id, 'warm-patch-key-2');
      const before = service.petstore.requests.length;
      await call(deps, 'warm-patch', { method: 'POST', path: '/pet', body: { name: 'Patched' } });
      expect(service.petstore.requests.slice(before).map((request) => request.apiKeyFingerprint)).toEqual([
        fingerprint('warm-patch-key-2'),
      ]);
    });

    it('invalidated by a check: refused with the reason, nothing sent', async () => {
      const id = await petstoreFlow('warm-invalid-key-1', 'warm-invalid');
      const deps = container();
      await call(deps, 'warm-invalid', { method: 'GET', path: '/pet/1' });
      service.revokedPetstoreKeys.add('warm-invalid-key-1');
      const checked = await service.api('POST', `/credentials/${id}/verify`, { token });
      expect(checked.body.credential).toMatchObject({ status: 'invalid' });
      const before = service.petstore.requests.length;
      await expect(call(deps, 'warm-invalid', { method: 'GET', path: '/pet/1' })).rejects.toMatchObject({
        code: 'credential_invalid',
      });
      expect(service.petstore.requests.length).toBe(before);
      expect((await auditOf(id))[0]).toMatchObject({
        action: 'proxied',
        detail: 'refused:credential_invalid',
      });
    });

    it('a report about a PATCHed credential schedules a check, though one was reported within the window', async () => {
      const id = await petstoreFlow('warm-report-key-1', 'warm-report');
      const deps = container();
      const step = { flowId: 'warm-report', stepId: 'call', executionId: 'exec-1', upstreamStatus: 401 };
      expect((await reportRejected(deps, actor, step)).check).toBe('scheduled');
      expect((await reportRejected(deps, actor, step)).check).toBe('already_scheduled');
      await patchKey(id, 'warm-report-key-2');
      expect((await reportRejected(deps, actor, step)).check).toBe('scheduled');
      expect((await reportRejected(deps, actor, step)).check).toBe('already_scheduled');
    });
  });

  it('refreshes an OAuth2 token the API calls expired, once, and sends the request once more', async () => {
    const id = await create({
      componentId: 'oauth2',
      fields: {
        tokenUrl: oauth.tokenUrl,
        apiBaseUrl: oauth.url,
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        // Not due by its expiry, but the API no longer takes it.
        accessToken: 'revoked-by-the-provider',
        refreshToken: oauth.issueRefreshToken(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    await activate('crm', 'oauth2', id);
    // Verification refreshed it on save; then the provider revoked that access token.
    const stored = await service.deps.secrets.read({ tenantId: tenant, credentialId: id });
    oauth.revokeAccessToken(String(stored.values.accessToken));
    const tokenCalls = oauth.tokenCalls.length;
    const answer = await call(container(), 'crm', { method: 'GET', path: '/userinfo' });
    expect(answer).toMatchObject({ status: 200, body: { sub: 'user-1' } });
    expect(oauth.tokenCalls.length).toBe(tokenCalls + 1);
    const audit = await service.api('GET', `/credentials/${id}/audit`, { token });
    expect(audit.body.items.map((item: { action: string }) => item.action).slice(0, 2)).toEqual([
      'proxied',
      'refreshed',
    ]);
    expect(JSON.stringify(answer)).not.toMatch(/at-[0-9a-f]{24}/);
  });

  it('serves POST /proxy to a token with the credentials:proxy scope only', async () => {
    await petstoreFlow('proxy-key-http', 'http');
    const body = {
      flowId: 'http',
      stepId: 'call',
      executionId: 'e',
      request: { method: 'GET', path: '/pet/2' },
    };
    const withoutScope = await service.issuer.sign(tenant, { scope: 'credentials:read credentials:write' });
    const refused = await service.api('POST', '/proxy', { token: withoutScope, body });
    expect(refused).toMatchObject({ status: 403, body: { code: 'insufficient_scope' } });
    const answered = await service.api('POST', '/proxy', { token, body });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 200, body: { id: 2, name: 'Tom' } });
  });
});
