import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../../local/demo-apis/petstore-demo-api.ts';
import { componentVerifier } from '../../shared/adapters/verification/component-verifier.ts';
import { allowListEntry } from '../../shared/adapters/verification/network-guard.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../shared/components/index.ts';
import type { VerificationResult } from '../../shared/ports/credential-verifier.ts';
import { startTestPostgres, type TestPostgres } from '../support/embedded-postgres.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';

const components = loadBundledComponents(DEFAULT_COMPONENT_SETTINGS);
const component = (id: string) => {
  const found = components.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no component ${id}`);
  return found;
};
/** Loopback peers each test starts: allowed by host and port, as a deployment's list would be. */
const loopbackPeers: string[] = ['127.0.0.1:1'];
const allowPeer = (url: string) => {
  const { hostname, port } = new URL(url);
  loopbackPeers.push(allowListEntry(hostname, Number(port)));
};
const loopbackOnly = componentVerifier(
  { allowedHosts: loopbackPeers, timeoutMs: 1000 },
  { now: () => new Date() },
);
const noPrivateHosts = componentVerifier({ allowedHosts: [], timeoutMs: 1000 }, { now: () => new Date() });

/** An HTTP API on loopback whose answer each test chooses by path. */
const startScriptedApi = async () => {
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    if (path === '/ok') return response.writeHead(200).end('{}');
    if (path === '/unauthorized')
      return response.writeHead(401).end(`{"message":"bad key ${request.headers['x-api-key']}"}`);
    if (path === '/forbidden-scope') {
      return response.writeHead(403, { 'www-authenticate': 'Bearer error="insufficient_scope"' }).end('{}');
    }
    if (path === '/limited') return response.writeHead(429).end('slow down');
    if (path === '/broken') return response.writeHead(502).end('x'.repeat(100_000));
    if (path === '/hang') return; // never answers
    if (path === '/to-metadata')
      return response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (path === '/to-ok') return response.writeHead(301, { location: '/ok' }).end();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

describe('verification before saving', () => {
  let service: LocalService;
  let token: string;
  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token('tenant-verify');
  });
  afterAll(() => service.stop());

  it('stores a credential the local Petstore accepts, as verified', async () => {
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'good-key-1' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'verified',
      statusReason: null,
      lastVerifiedAt: expect.any(String),
    });
    expect(service.petstore.requests.at(-1)).toEqual({
      path: '/v2/store/inventory',
      apiKeyFingerprint: fingerprint('good-key-1'),
    });
  });

  it('refuses a revoked key with 422 and stores nothing: no secret, no item, no count', async () => {
    service.calls.reset();
    const refused = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'revoked-key-9' } },
    });

    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'verification_failed',
      reason: 'invalid_credentials',
      upstreamStatus: 401,
    });
    // The demo API echoes the key back; the excerpt masks it.
    expect(refused.body.upstreamExcerpt).toContain('***');
    expect(refused.text).not.toContain('revoked-key-9');
    expect(service.calls.calls).toEqual([]);
    expect(
      service.secretsState
        .snapshot()
        .secrets.some(
          (secret) =>
            secret.name.includes('tenant-verify') &&
            secret.versions.some((v) => v.secretString.includes('revoked-key-9')),
        ),
    ).toBe(false);
  });

  it('re-verifies a stored credential and records its health', async () => {
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'soon-revoked-1' } },
    });
    service.revokedPetstoreKeys.add('soon-revoked-1');

    const reverified = await service.api('POST', `/credentials/${created.body.id}/verify`, { token });
    const stored = await service.api('GET', `/credentials/${created.body.id}`, { token });

    expect(reverified.status).toBe(200);
    expect(reverified.body.verification).toMatchObject({
      outcome: 'failed',
      reason: 'invalid_credentials',
      upstreamStatus: 401,
    });
    expect(stored.body).toMatchObject({
      status: 'invalid',
      statusReason: expect.stringContaining('invalid_credentials'),
      // The public version is what people edit: a check that records a status leaves it.
      version: 1,
    });
    expect((await service.deps.credentials.get('tenant-verify', created.body.id))?.version).toBe(2);
    expect(stored.text).not.toContain('soon-revoked-1');
    service.revokedPetstoreKeys.delete('soon-revoked-1');
    const healthy = await service.api('POST', `/credentials/${created.body.id}/verify`, { token });
    expect(healthy.body.credential).toMatchObject({ status: 'verified', statusReason: null });
  });

  it('verifies a PATCH that changes fields and refuses a bad one, keeping the stored key', async () => {
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'good-key-2' } },
    });
    const refused = await service.api('PATCH', `/credentials/${created.body.id}`, {
      token,
      body: { fields: { apiKey: 'revoked-typo' } },
      headers: { 'if-match': '"1"' },
    });
    expect(refused.status).toBe(422);
    expect(
      (await service.deps.secrets.read({ tenantId: 'tenant-verify', credentialId: created.body.id })).values,
    ).toMatchObject({ apiKey: 'good-key-2' });
  });
});

describe('HTTP verifier', () => {
  let api: Awaited<ReturnType<typeof startScriptedApi>>;
  beforeAll(async () => {
    api = await startScriptedApi();
    allowPeer(api.baseUrl);
  });
  afterAll(() => api.stop());

  const verifyPath = (verifyPath: string, verifier = loopbackOnly) =>
    verifier.verify(component('http-api-key'), {
      baseUrl: api.baseUrl,
      headerName: 'X-Api-Key',
      verifyPath,
      apiKey: 'key-abcdef',
    });

  it.each<[string, Partial<VerificationResult> & Record<string, unknown>]>([
    ['/ok', { outcome: 'verified' }],
    ['/to-ok', { outcome: 'verified' }],
    [
      '/unauthorized',
      {
        outcome: 'failed',
        reason: 'invalid_credentials',
        upstreamStatus: 401,
        upstreamExcerpt: 'message: bad key ***',
      },
    ],
    ['/forbidden-scope', { outcome: 'failed', reason: 'insufficient_scope', upstreamStatus: 403 }],
    ['/limited', { outcome: 'failed', reason: 'rate_limited', upstreamStatus: 429 }],
    ['/broken', { outcome: 'failed', reason: 'upstream_error', upstreamStatus: 502 }],
    ['/hang', { outcome: 'failed', reason: 'timeout' }],
    ['/to-metadata', { outcome: 'failed', reason: 'blocked_destination' }],
  ])('%s', async (path, expected) => {
    const result = await verifyPath(path);
    expect(result).toMatchObject(expected);
    if (result.outcome === 'failed' && result.upstreamExcerpt)
      expect(result.upstreamExcerpt.length).toBeLessThanOrEqual(161);
  });

  it('refuses loopback unless the deployment allows it', async () => {
    expect(await verifyPath('/ok', noPrivateHosts)).toMatchObject({
      outcome: 'failed',
      reason: 'blocked_destination',
    });
  });

  it('reports a closed port as unreachable', async () => {
    const result = await loopbackOnly.verify(component('http-basic'), {
      baseUrl: 'http://127.0.0.1:1',
      verifyPath: '/',
      username: 'u',
      password: 'p',
    });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'unreachable' });
  });

  it('sends basic auth for the basic-auth component', async () => {
    const seen: string[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization ?? '');
      response
        .writeHead(
          request.headers.authorization === `Basic ${Buffer.from('ann:pw-1').toString('base64')}` ? 200 : 401,
        )
        .end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    allowPeer(baseUrl);
    const good = await loopbackOnly.verify(component('http-basic'), {
      baseUrl,
      verifyPath: '/me',
      username: 'ann',
      password: 'pw-1',
    });
    const bad = await loopbackOnly.verify(component('http-basic'), {
      baseUrl,
      verifyPath: '/me',
      username: 'ann',
      password: 'pw-2',
    });
    server.close();
    expect(good).toEqual({ outcome: 'verified' });
    expect(bad).toMatchObject({ reason: 'invalid_credentials' });
    expect(seen).toHaveLength(2);
  });
});

describe('OAuth2 verifier', () => {
  let oauth: OAuth2TestServer;
  beforeAll(async () => {
    oauth = await startOAuth2TestServer();
    allowPeer(oauth.url);
  });
  afterAll(() => oauth.stop());

  const base = () => ({
    tokenUrl: oauth.tokenUrl,
    clientId: 'client-1',
    clientSecret: 'client-secret-1',
    accessToken: 'old-access',
  });

  it('proves a refresh token by refreshing, and hands back the rotated tokens to store', async () => {
    const refreshToken = oauth.issueRefreshToken();
    const result = await loopbackOnly.verify(component('oauth2'), { ...base(), refreshToken });
    expect(result.outcome).toBe('verified');
    const renewed = result.outcome === 'verified' ? result.updatedValues : undefined;
    expect(renewed?.accessToken).toMatch(/^at-/);
    expect(renewed?.refreshToken).toMatch(/^rt-/);
    expect(renewed?.refreshToken).not.toBe(refreshToken);
    expect(Date.parse(String(renewed?.expiresAt))).toBeGreaterThan(Date.now());
  });

  it('reports a used or unknown refresh token as invalid_credentials, without echoing it', async () => {
    const result = await loopbackOnly.verify(component('oauth2'), {
      ...base(),
      refreshToken: 'rt-unknown-123456',
    });
    expect(result).toMatchObject({ outcome: 'failed', reason: 'invalid_credentials', upstreamStatus: 400 });
    expect(JSON.stringify(result)).not.toContain('rt-unknown-123456');
  });

  it('checks an access token against the userinfo endpoint when there is no refresh token', async () => {
    const good = await loopbackOnly.verify(component('oauth2'), {
      ...base(),
      accessToken: oauth.issueAccessToken(),
      userinfoUrl: oauth.userinfoUrl,
    });
    const bad = await loopbackOnly.verify(component('oauth2'), { ...base(), userinfoUrl: oauth.userinfoUrl });
    const neither = await loopbackOnly.verify(component('oauth2'), base());
    expect(good).toEqual({ outcome: 'verified' });
    expect(bad).toMatchObject({ outcome: 'failed', reason: 'invalid_credentials', upstreamStatus: 401 });
    expect(neither.outcome).toBe('unverified');
  });
});

describe('PostgreSQL verifier (real PostgreSQL from npm)', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
    allowPeer(`postgres://127.0.0.1:${postgres.port}`);
  }, 60_000);
  afterAll(() => postgres?.stop());

  const fields = (overrides: Record<string, unknown> = {}) => ({
    host: '127.0.0.1',
    port: postgres.port,
    database: 'postgres',
    user: postgres.user,
    password: postgres.password,
    sslMode: 'disable',
    ...overrides,
  });

  it('connects and runs SELECT 1 with the right password', async () => {
    expect(await loopbackOnly.verify(component('postgresql'), fields())).toEqual({ outcome: 'verified' });
  });

  it('reports a wrong password or database as invalid_credentials, a closed port as unreachable', async () => {
    expect(await loopbackOnly.verify(component('postgresql'), fields({ password: 'typo' }))).toMatchObject({
      reason: 'invalid_credentials',
    });
    expect(await loopbackOnly.verify(component('postgresql'), fields({ database: 'nope' }))).toMatchObject({
      reason: 'invalid_credentials',
    });
    expect(await loopbackOnly.verify(component('postgresql'), fields({ port: 1 }))).toMatchObject({
      reason: 'unreachable',
    });
  });

  it('refuses a database on a private address unless allowed', async () => {
    expect(await noPrivateHosts.verify(component('postgresql'), fields())).toMatchObject({
      reason: 'blocked_destination',
    });
  });
});
