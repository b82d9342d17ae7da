import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-connect';
const RETURN_URL = 'https://app.example.test/connected/page';

describe('OAuth2 connect: OAuth apps, authorization code with PKCE, client credentials', () => {
  let service: LocalService;
  let token: string;
  const api = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    service.api(method, path, { token, body, headers });

  /** The browser's part: open the authorization URL; the demo provider consents and redirects back. */
  const consent = async (authorizationUrl: string) => {
    const answer = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get('location') ?? '');
    return `${location.pathname}${location.search}`;
  };
  const start = async (body: Record<string, unknown> = {}) => {
    const started = await api('POST', '/connect-sessions', { componentId: 'demo-oauth2', ...body });
    expect(started.status).toBe(201);
    return started.body as { sessionId: string; authorizationUrl: string };
  };
  const connect = async (body: Record<string, unknown> = {}) => {
    const session = await start(body);
    const callback = await service.api('GET', await consent(session.authorizationUrl));
    const followed = (await api('GET', `/connect-sessions/${session.sessionId}`)).body;
    return { session, callback, followed };
  };
  const resolveDeps = () =>
    buildResolveDependencies(service.deps, {
      cacheTtlMs: 0,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 5_000 },
    });
  /** The revocation requests the demo provider receives while `run` runs (it does not read the form). */
  const revocationsDuring = async (run: () => Promise<void>) => {
    const received: Promise<Record<string, string>>[] = [];
    const capture = (_response: unknown, request: NodeJS.ReadableStream) =>
      received.push(
        new Promise((read) => {
          let raw = '';
          request.on('data', (chunk) => {
            raw += String(chunk);
          });
          request.on('end', () => read(Object.fromEntries(new URLSearchParams(raw))));
        }),
      );
    service.oauth2.server.service.on('beforeRevoke', capture);
    try {
      await run();
    } finally {
      service.oauth2.server.service.off('beforeRevoke', capture);
    }
    return Promise.all(received);
  };
  const credentialsOf = async (componentId: string) =>
    (await api('GET', `/credentials?componentId=${componentId}`)).body.items as { id: string }[];

  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token(tenant);
  });
  afterAll(() => service.stop());

  describe('OAuth apps', () => {
    it('registers the tenant client, never returns its secret, and names the callback URL to register', async () => {
      const refused = await api('POST', '/connect-sessions', { componentId: 'demo-oauth2' });
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('oauth_app_missing');

      const noSecret = await api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client' });
      expect(noSecret.status).toBe(400);
      const created = await api('PUT', '/oauth-apps/demo-oauth2', {
        clientId: 'demo-client',
        clientSecret: 'app-secret-value-1',
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(created.body).toMatchObject({
        componentId: 'demo-oauth2',
        clientId: 'demo-client',
        secretFieldsSet: ['clientSecret'],
        redirectUri: expect.stringMatching(/\/oauth2\/callback$/),
      });
      const renamed = await api(
        'PUT',
        '/oauth-apps/demo-oauth2',
        { clientId: 'demo-client', scopes: ['openid'] },
        { 'if-match': '"1"' },
      );
      expect(renamed.status).toBe(200);
      expect(
        (await api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'x' }, { 'if-match': '"1"' })).status,
      ).toBe(412);
      const listed = await api('GET', '/oauth-apps');
      expect(listed.body.items).toHaveLength(1);
      for (const answer of [created, renamed, listed, await api('GET', '/oauth-apps/demo-oauth2')])
        expect(answer.text).not.toContain('app-secret-value-1');
      expect(JSON.stringify(await service.scanTable())).not.toContain('app-secret-value-1');
      expect((await api('PUT', '/oauth-apps/petstore', { clientId: 'x', clientSecret: 'y' })).status).toBe(
        400,
      );
      expect((await api('GET', '/oauth-apps/github')).status).toBe(404);
    });
  });

  describe('the connect flow', () => {
    it('connects end to end: consent, PKCE exchange, verified credential, resolve, expiry, refresh with the app', async () => {
      const before = service.oauth2.tokenRequests.length;
      const { session, callback, followed } = await connect({ name: 'Demo account' });
      expect(session.authorizationUrl).toContain('code_challenge_method=S256');
      expect(callback.status).toBe(200);
      expect(callback.text).toContain('connected');
      expect(followed).toMatchObject({ status: 'connected', reason: null });
      const exchange = service.oauth2.tokenRequests.slice(before);
      expect(exchange).toEqual([
        { grantType: 'authorization_code', codeVerifierSent: true, clientId: 'demo-client' },
      ]);

      const credential = (await api('GET', `/credentials/${followed.credentialId}`)).body;
      expect(credential).toMatchObject({
        componentId: 'demo-oauth2',
        name: 'Demo account',
        status: 'verified',
        secretFieldsSet: ['accessToken', 'refreshToken'],
      });
      expect(credential.fields.expiresAt).toBeDefined();
      // The scope consented to (the app's), as the provider answers it with the tokens.
      expect(new URL(session.authorizationUrl).searchParams.get('scope')).toBe('openid');
      expect(credential.fields.scope).toBe('openid');

      await api('PUT', '/flows/connected', {
        name: 'connected',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'demo-oauth2', credentialId: credential.id }],
      });
      const actor = { tenantId: tenant, subject: 'workflow' };
      const input = { flowId: 'connected', stepId: 's', executionId: 'e-1', credentialId: credential.id };
      const first = await resolveCredential(resolveDeps(), actor, input);
      expect(first.secrets.accessToken).toEqual(expect.any(String));
      expect(first.secrets.refreshToken).toBeUndefined();

      // The token expires: the next resolve refreshes it at the descriptor's token URL with the app's client.
      await service.expireAccessToken(tenant, credential.id);
      const refreshedBefore = service.oauth2.tokenRequests.length;
      const second = await resolveCredential(resolveDeps(), actor, { ...input, executionId: 'e-2' });
      expect(service.oauth2.tokenRequests.slice(refreshedBefore)).toEqual([
        { grantType: 'refresh_token', codeVerifierSent: false, clientId: 'demo-client' },
      ]);
      expect(Date.parse(String(second.fields.expiresAt))).toBeGreaterThan(Date.now());
      await api('DELETE', '/flows/connected');
    });

    it('redirects to an allowed returnUrl with the credential, and refuses one off the list', async () => {
      // The list names https://app.example.test/connected: whole path segments only.
      for (const returnUrl of [
        'https://evil.example/steal',
        'https://app.example.test/connectedX',
        'https://app.example.test/connected.evil',
        'https://app.example.test/connected-but-not',
        'https://app.example.test.evil.example/connected',
      ]) {
        const refused = await api('POST', '/connect-sessions', { componentId: 'demo-oauth2', returnUrl });
        expect(refused.status, returnUrl).toBe(400);
        expect(refused.body.errors[0].path).toBe('body.returnUrl');
      }
      for (const returnUrl of [
        'https://app.example.test/connected',
        'https://app.example.test/connected/x',
      ]) {
        expect(
          (await api('POST', '/connect-sessions', { componentId: 'demo-oauth2', returnUrl })).status,
        ).toBe(201);
      }
      const { session, callback } = await connect({ returnUrl: RETURN_URL });
      expect(callback.status).toBe(303);
      const location = new URL(callback.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(RETURN_URL);
      expect(location.searchParams.get('sessionId')).toBe(session.sessionId);
      expect(location.searchParams.get('credentialId')).toMatch(/\.demo-oauth2$/);
    });

    it('stores for a pending session exactly what docs/connect.md says: the verifier, until the exchange', async () => {
      const session = await start();
      const itemOf = async () =>
        (await service.scanTable()).find(
          (item) => item.entity === 'connectSession' && item.sessionId === session.sessionId,
        );
      const pending = (await itemOf()) as Record<string, unknown>;
      expect(pending.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
      // The state's secret itself is not stored, only its hash.
      const state = new URL(session.authorizationUrl).searchParams.get('state') ?? '';
      expect(JSON.stringify(pending)).not.toContain(state.split('.').at(-1));
      await service.api('GET', await consent(session.authorizationUrl));
      expect((await itemOf())?.codeVerifier).toBeUndefined();
    });

    it('accepts a state once: a replayed callback stores nothing more', async () => {
      const session = await start();
      const callbackPath = await consent(session.authorizationUrl);
      const count = (await credentialsOf('demo-oauth2')).length;
      expect((await service.api('GET', callbackPath)).status).toBe(200);
      const replay = await service.api('GET', callbackPath);
      expect(replay.status).toBe(400);
      expect(replay.text).toContain('already used');
      expect((await credentialsOf('demo-oauth2')).length).toBe(count + 1);
    });

    it('refuses a tampered state, another tenant’s state and an expired session, storing nothing', async () => {
      const count = (await credentialsOf('demo-oauth2')).length;
      const session = await start();
      const callbackPath = await consent(session.authorizationUrl);
      const url = new URL(callbackPath, 'http://x');
      const state = url.searchParams.get('state') ?? '';
      const tampered = new URL(url);
      tampered.searchParams.set('state', `${state.slice(0, -4)}AAAA`);
      const tamperedAnswer = await service.api('GET', `${tampered.pathname}${tampered.search}`);
      expect(tamperedAnswer.status).toBe(400);
      // A state that does not match leaves the session alone: the real callback still works.
      expect((await api('GET', `/connect-sessions/${session.sessionId}`)).body.status).toBe('pending');
      const foreign = new URL(url);
      foreign.searchParams.set('state', state.replace(/^tenant-connect\./, 'other-tenant.'));
      expect((await service.api('GET', `${foreign.pathname}${foreign.search}`)).status).toBe(400);
      expect((await service.api('GET', callbackPath)).status).toBe(200);

      const late = await start();
      const latePath = await consent(late.authorizationUrl);
      await service.dynamoDb.send(
        new UpdateItemCommand({
          TableName: service.config.tableName,
          Key: { PK: { S: `T#${tenant}` }, SK: { S: `CONNECT#${late.sessionId}` } },
          UpdateExpression: 'SET expiresAt = :past',
          ExpressionAttributeValues: { ':past': { S: new Date(Date.now() - 1000).toISOString() } },
        }),
      );
      const expired = await service.api('GET', latePath);
      expect(expired.status).toBe(400);
      expect(expired.text).toContain('expired');
      expect((await api('GET', `/connect-sessions/${late.sessionId}`)).body).toMatchObject({
        status: 'failed',
        reason: 'session_expired',
      });
      expect((await credentialsOf('demo-oauth2')).length).toBe(count + 1);
      // Another tenant cannot read this tenant's session.
      const other = await service.token('other-tenant');
      expect((await service.api('GET', `/connect-sessions/${late.sessionId}`, { token: other })).status).toBe(
        404,
      );
    });

    it('ends the session as failed when the provider refuses consent or the token endpoint fails', async () => {
      const count = (await credentialsOf('demo-oauth2')).length;
      const denied = await start();
      const state = new URL(await consent(denied.authorizationUrl), 'http://x').searchParams.get('state');
      // An error response names its issuer too (RFC 9207 §2).
      const iss = encodeURIComponent(service.oauth2.baseUrl);
      const answer = await service.api(
        'GET',
        `/oauth2/callback?error=access_denied&state=${state}&iss=${iss}`,
      );
      expect(answer.status).toBe(400);
      expect((await api('GET', `/connect-sessions/${denied.sessionId}`)).body).toMatchObject({
        status: 'failed',
        reason: 'provider_error:access_denied',
      });

      const broken = await start();
      const path = await consent(broken.authorizationUrl);
      service.oauth2.server.service.once(
        'beforeResponse',
        (response: { statusCode: number; body: unknown }) => {
          response.statusCode = 503;
          response.body = { message: 'down for maintenance' };
        },
      );
      expect((await service.api('GET', path)).status).toBe(400);
      expect((await api('GET', `/connect-sessions/${broken.sessionId}`)).body).toMatchObject({
        status: 'failed',
        reason: 'token_exchange_failed:503',
      });
      expect((await credentialsOf('demo-oauth2')).length).toBe(count);
    });

    it('revokes nothing on a re-connect at a provider that revokes per grant (the new tokens may share it)', async () => {
      const { followed } = await connect({ name: 'Revocable' });
      const id = followed.credentialId as string;
      const secretOf = async () => {
        const credential = (await api('GET', `/credentials/${id}`)).body;
        return (
          await service.deps.secrets.read({ tenantId: tenant, credentialId: id }, credential.secretVersionId)
        ).values;
      };
      const before = await secretOf();
      const revoked = await revocationsDuring(async () => {
        expect((await connect({ credentialId: id })).followed).toMatchObject({ status: 'connected' });
      });
      const after = await secretOf();
      expect(after.refreshToken).not.toBe(before.refreshToken);
      expect(revoked).toEqual([]);
      // The demo provider reused the grant and ends it whole on a revocation: the repaired
      // credential's tokens work, and so does its next refresh.
      const userinfo = (accessToken: unknown) =>
        fetch(`${service.oauth2.baseUrl}/userinfo`, {
          headers: { authorization: `Bearer ${String(accessToken)}` },
        });
      expect((await userinfo(after.accessToken)).status).toBe(200);
      await api('PUT', '/flows/reconnected', {
        name: 'reconnected',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'demo-oauth2', credentialId: id }],
      });
      await service.expireAccessToken(tenant, id);
      const resolved = await resolveCredential(
        resolveDeps(),
        { tenantId: tenant, subject: 'wf' },
        {
          flowId: 'reconnected',
          stepId: 's',
          executionId: 'e-reconnected',
        },
      );
      expect((await secretOf()).refreshToken).not.toBe(after.refreshToken);
      expect((await userinfo(resolved.secrets.accessToken)).status).toBe(200);
      await api('DELETE', '/flows/reconnected');
    });

    it('revokes a deleted credential’s refresh token before its secret goes, without the delete waiting', async () => {
      const { followed } = await connect({ name: 'Deleted soon' });
      const id = followed.credentialId as string;
      const address = { tenantId: tenant, credentialId: id };
      const secretVersionId = (await api('GET', `/credentials/${id}`)).body.secretVersionId as string;
      const { refreshToken } = (await service.deps.secrets.read(address, secretVersionId)).values;
      expect((await api('DELETE', `/credentials/${id}`)).status).toBe(204);
      // The delete answered at once; the secret stays until the purger (the table stream's consumer) ran.
      expect((await service.deps.secrets.describe(address))?.deleted).toBe(false);
      const revoked = await revocationsDuring(async () => {
        expect(await purgeDeletedSecrets(service.deps, [address])).toEqual([]);
      });
      expect(await Promise.all(revoked)).toEqual([
        { token: String(refreshToken), token_type_hint: 'refresh_token' },
      ]);
      expect((await service.deps.secrets.describe(address))?.deleted).toBe(true);
      // The grant ended at the provider: its refresh token is refused there.
      const presented = await fetch(`${service.oauth2.baseUrl}/token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from('demo-client:app-secret-value-1').toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: String(refreshToken),
        }).toString(),
      });
      expect(((await presented.json()) as { error?: string }).error).toBe('invalid_grant');
    });

    it('re-connects an existing credential instead of creating one', async () => {
      const { followed } = await connect();
      const id = followed.credentialId as string;
      const count = (await credentialsOf('demo-oauth2')).length;
      const again = await connect({ credentialId: id });
      expect(again.followed).toMatchObject({ status: 'connected', credentialId: id });
      expect((await credentialsOf('demo-oauth2')).length).toBe(count);
      expect((await api('GET', `/credentials/${id}`)).body.version).toBe(2);
    });

    it('registers an app again after it was deleted, restoring its secret from the recovery window', async () => {
      const again = await service.token('tenant-registers-again');
      const as = (method: string, path: string, body?: unknown) =>
        service.api(method, path, { token: again, body });
      const app = { clientId: 'demo-client', clientSecret: 'first-secret' };
      expect((await as('PUT', '/oauth-apps/demo-oauth2', app)).status).toBe(201);
      expect((await as('DELETE', '/oauth-apps/demo-oauth2')).status).toBe(204);
      const address = { tenantId: 'tenant-registers-again', credentialId: 'oauth-app.demo-oauth2' };
      expect((await service.deps.secrets.describe(address))?.deleted).toBe(true);

      const registered = await as('PUT', '/oauth-apps/demo-oauth2', {
        ...app,
        clientSecret: 'second-secret',
      });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ componentId: 'demo-oauth2', version: 1 });
      expect((await service.deps.secrets.describe(address))?.deleted).toBe(false);
      expect((await service.deps.secrets.read(address)).values).toEqual({ clientSecret: 'second-secret' });
    });

    it.each([
      ['another issuer', 'https://attacker.example', 'issuer_mismatch'],
      ['no issuer from a provider that always names it', undefined, 'issuer_missing'],
    ])(
      'refuses an authorization response from %s (RFC 9207), storing nothing',
      async (_case, iss, reason) => {
        const count = (await credentialsOf('demo-oauth2')).length;
        const session = await start({});
        const callback = new URL(await consent(session.authorizationUrl), 'http://callback.invalid');
        expect(callback.searchParams.get('iss')).toBe(service.oauth2.baseUrl);
        if (iss === undefined) callback.searchParams.delete('iss');
        else callback.searchParams.set('iss', iss);
        const answer = await service.api('GET', `${callback.pathname}${callback.search}`);
        expect(answer.status).toBe(400);
        expect(answer.text).toContain('Nothing was stored');
        expect((await api('GET', `/connect-sessions/${session.sessionId}`)).body).toMatchObject({
          status: 'failed',
          reason,
        });
        expect((await credentialsOf('demo-oauth2')).length).toBe(count);
      },
    );

    it('asks for a reconnect, never a second presentation, when a rotating provider answers no refresh token', async () => {
      const { followed } = await connect({ name: 'Rotating' });
      const id = followed.credentialId as string;
      service.oauth2.server.service.once('beforeResponse', (response: { body: Record<string, unknown> }) => {
        delete response.body.refresh_token;
      });
      const before = service.oauth2.tokenRequests.length;
      const verified = await api('POST', `/credentials/${id}/verify`);
      expect(verified.status).toBe(200);
      expect(verified.body.verification).toMatchObject({ outcome: 'failed', reason: 'invalid_credentials' });
      const credential = (await api('GET', `/credentials/${id}`)).body;
      expect(credential.status).toBe('invalid');
      expect(credential.statusReason).toMatch(/^refresh_token_not_returned: the provider rotates/);
      // Asked again, the spent refresh token is not presented: the credential says it needs reconnecting.
      await api('POST', `/credentials/${id}/verify`);
      expect(service.oauth2.tokenRequests.length - before).toBe(1);
    });

    it('refuses to delete an app while credentials of its component exist, naming how many', async () => {
      const count = (await credentialsOf('demo-oauth2')).length;
      const refused = await api('DELETE', '/oauth-apps/demo-oauth2');
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'oauth_app_in_use', credentialCount: count });
    });
  });

  describe('client credentials', () => {
    it('verifies by getting a token, and hands workflows a fresh access token fetched once, never the secret', async () => {
      const before = service.oauth2.tokenRequests.length;
      const created = await api('POST', '/credentials', {
        componentId: 'demo-machine',
        fields: { clientId: 'machine-1', clientSecret: 'machine-secret-1' },
      });
      expect(created.status).toBe(201);
      expect(created.body.status).toBe('verified');
      await api('PUT', '/flows/machine', {
        name: 'machine',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'demo-machine', credentialId: created.body.id }],
      });
      const deps = resolveDeps();
      const actor = { tenantId: tenant, subject: 'workflow' };
      const resolved = await Promise.all(
        Array.from({ length: 5 }, (_, index) =>
          resolveCredential(deps, actor, {
            flowId: 'machine',
            stepId: 's',
            executionId: `m-${index}`,
            credentialId: created.body.id,
          }),
        ),
      );
      const grants = service.oauth2.tokenRequests.slice(before).map((request) => request.grantType);
      expect(grants).toEqual(['client_credentials', 'client_credentials']);
      for (const each of resolved) {
        expect(each.secrets.accessToken).toBe(resolved[0]?.secrets.accessToken);
        expect(each.secrets.clientSecret).toBeUndefined();
        expect(Date.parse(String(each.fields.expiresAt))).toBeGreaterThan(Date.now());
      }
      const stored = JSON.stringify(await service.scanTable());
      expect(stored).not.toContain(String(resolved[0]?.secrets.accessToken));
      expect(stored).not.toContain('machine-secret-1');
    });
  });
});
