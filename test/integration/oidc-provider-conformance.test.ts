import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type ConformanceProvider, startConformanceProvider } from '../support/oidc-conformance-provider.ts';

/**
 * Connect, refresh and revoke against panva's `oidc-provider` (OpenID Certified) with PKCE
 * required, rotating refresh tokens and 60 s access tokens: the demo component's descriptor points
 * at it, so nothing in the service is told it is a test.
 */
describe('conformance with a certified provider (oidc-provider: PKCE required, rotation on)', () => {
  let provider: ConformanceProvider;
  let service: LocalService;
  let token = '';
  const tenant = 'tenant-conformance';
  const api = (method: string, path: string, body?: unknown) => service.api(method, path, { token, body });

  /** Plays the person's browser: follows the provider's redirects with its cookies, up to the callback. */
  const consent = async (authorizationUrl: string): Promise<URL> => {
    const cookies = new Map<string, string>();
    let next = new URL(authorizationUrl);
    for (let hop = 0; hop < 8; hop++) {
      const answer = await fetch(next, {
        redirect: 'manual',
        headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
      });
      for (const cookie of answer.headers.getSetCookie()) {
        const [pair = ''] = cookie.split(';');
        const [name = '', value = ''] = pair.split('=');
        cookies.set(name, value);
      }
      const location = answer.headers.get('location');
      if (!location)
        throw new Error(`the provider stopped at ${next} with ${answer.status}: ${await answer.text()}`);
      next = new URL(location, next);
      if (next.pathname === '/oauth2/callback') return next;
    }
    throw new Error('the provider never redirected back');
  };
  const connect = async (body: Record<string, unknown> = {}) => {
    const started = await api('POST', '/connect-sessions', { componentId: 'demo-oauth2', ...body });
    expect(started.status).toBe(201);
    const callback = await consent(started.body.authorizationUrl as string);
    expect(callback.searchParams.get('iss')).toBe(provider.url);
    const answer = await service.api('GET', `${callback.pathname}${callback.search}`);
    const session = (await api('GET', `/connect-sessions/${started.body.sessionId}`)).body;
    return { answer, session };
  };
  const storedTokens = async (credentialId: string) => {
    const credential = (await api('GET', `/credentials/${credentialId}`)).body;
    const { values } = await service.deps.secrets.read(
      { tenantId: tenant, credentialId },
      credential.secretVersionId,
    );
    return { credential, refreshToken: String(values.refreshToken), accessToken: String(values.accessToken) };
  };
  /** A flow whose one step uses the credential, and a resolve container for it. */
  const activeFlowFor = async (flowId: string, credentialId: string) => {
    await api('PUT', `/flows/${flowId}`, {
      name: flowId,
      status: 'active',
      steps: [{ stepId: 's', componentId: 'demo-oauth2', credentialId }],
    });
    return buildResolveDependencies(service.deps, {
      cacheTtlMs: 0,
      refreshMarginMs: 300_000,
      refresh: { leaseWaitMs: 5000 },
    });
  };
  beforeAll(async () => {
    provider = await startConformanceProvider();
    service = await startLocalService({ env: { DEMO_OAUTH2_BASE_URL: provider.url } });
    service.allowVerificationTarget(provider.url);
    provider.registerClient({
      clientId: 'conformance-client',
      clientSecret: 'conformance-secret-0123456789',
      redirectUri: service.config.connectCallbackUrl ?? '',
    });
    token = await service.token(tenant);
    expect(
      (
        await api('PUT', '/oauth-apps/demo-oauth2', {
          clientId: 'conformance-client',
          clientSecret: 'conformance-secret-0123456789',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await service.stop();
    await provider.stop();
  });

  it('connects (PKCE, iss), refreshes through two rotations without a reuse, and revokes on delete', async () => {
    const { answer, session } = await connect({ name: 'Certified' });
    expect(answer.status).toBe(200);
    expect(session).toMatchObject({ status: 'connected' });
    const credentialId = session.credentialId as string;
    const connected = await storedTokens(credentialId);
    expect(connected.credential).toMatchObject({
      status: 'verified',
      secretFieldsSet: ['accessToken', 'refreshToken'],
    });
    expect(provider.grants).toEqual(['authorization_code']);

    const deps = await activeFlowFor('certified', credentialId);
    const actor = { tenantId: tenant, subject: 'workflow' };
    const seen = [connected.refreshToken];
    for (const round of [1, 2]) {
      await service.expireAccessToken(tenant, credentialId);
      const resolved = await resolveCredential(deps, actor, {
        flowId: 'certified',
        stepId: 's',
        executionId: `e-${round}`,
      });
      const stored = await storedTokens(credentialId);
      expect(resolved.secrets.accessToken).toBe(stored.accessToken);
      expect(stored.credential.status).toBe('verified');
      seen.push(stored.refreshToken);
    }
    // Rotation on: each refresh spent the token it presented and stored the new one.
    expect(new Set(seen).size).toBe(3);
    expect(provider.grants).toEqual(['authorization_code', 'refresh_token', 'refresh_token']);
    expect(provider.revokedGrants).toEqual([]);

    await api('DELETE', '/flows/certified');
    expect((await api('DELETE', `/credentials/${credentialId}`)).status).toBe(204);
    expect(await purgeDeletedSecrets(service.deps, [{ tenantId: tenant, credentialId }])).toEqual([]);
    // Revoked at the provider: the last refresh token no longer works there.
    const presented = await fetch(`${provider.url}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('conformance-client:conformance-secret-0123456789').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: String(seen[2]) }).toString(),
    });
    expect(presented.status).toBe(400);
    expect(((await presented.json()) as { error: string }).error).toBe('invalid_grant');
  });

  it('re-connects to the same account (the provider reuses the grant) and the credential keeps working', async () => {
    const { session } = await connect({ name: 'Re-connected' });
    const revokedBefore = provider.revokedGrants.length;
    const credentialId = session.credentialId as string;
    const before = await storedTokens(credentialId);
    const again = await connect({ credentialId });
    expect(again.session).toMatchObject({ status: 'connected', credentialId });
    const after = await storedTokens(credentialId);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(provider.revokedGrants.length).toBe(revokedBefore);

    // The access token a resolve hands out works, and so does the next refresh.
    const userinfo = await fetch(`${provider.url}/userinfo`, {
      headers: { authorization: `Bearer ${after.accessToken}` },
    });
    expect(userinfo.status).toBe(200);
    const deps = await activeFlowFor('reconnected', credentialId);
    await service.expireAccessToken(tenant, credentialId);
    const resolved = await resolveCredential(
      deps,
      { tenantId: tenant, subject: 'workflow' },
      {
        flowId: 'reconnected',
        stepId: 's',
        executionId: 'e-reconnected',
      },
    );
    const refreshed = await storedTokens(credentialId);
    expect(refreshed.credential.status).toBe('verified');
    expect(refreshed.refreshToken).not.toBe(after.refreshToken);
    expect(resolved.secrets.accessToken).toBe(refreshed.accessToken);
    expect(provider.revokedGrants.length).toBe(revokedBefore);
  });
});
