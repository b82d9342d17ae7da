import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { type FaultAction, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

type Answer = { status: number; text: string; retryAfter: string | null };

/**
 * A fault on every AWS call the connect callback and the OAuth app PUT make (refused before it
 * reaches AWS, or applied and its answer lost), once: what the person is told must be true. A
 * "connected" page means exactly one new credential; "nothing was stored" means none; "try again"
 * comes with Retry-After; never a 500, and a lost answer never turns the service's own success
 * into a refusal.
 */
describe('OAuth2 under AWS faults: the callback and the app PUT tell the truth, a lost answer is never a refusal', () => {
  let service: LocalService;
  const proxies: Partial<Record<'dynamodb' | 'secretsmanager', FaultProxy>> = {};
  const tenant = 'tenant-callback-faults';
  let token = '';
  const api = (method: string, path: string, body?: unknown) => service.api(method, path, { token, body });
  const demoCredentials = async () =>
    ((await api('GET', '/credentials?componentId=demo-oauth2')).body.items as unknown[]).length;
  const proxyOf = (operation: string): FaultProxy => {
    const proxy = /Secret/.test(operation) ? proxies.secretsmanager : proxies.dynamodb;
    if (!proxy) throw new Error('no proxy');
    return proxy;
  };

  /** Starts a session and consents without faults; returns the callback path the browser follows. */
  const consented = async () => {
    const started = await api('POST', '/connect-sessions', { componentId: 'demo-oauth2' });
    expect(started.status).toBe(201);
    const consent = await fetch(started.body.authorizationUrl as string, { redirect: 'manual' });
    const location = new URL(consent.headers.get('location') ?? '');
    return { path: `${location.pathname}${location.search}`, sessionId: started.body.sessionId as string };
  };
  const callback = async (path: string): Promise<Answer> => {
    const answer = await service.api('GET', path);
    return { status: answer.status, text: answer.text, retryAfter: answer.headers.get('retry-after') };
  };
  /** The operations one clean run makes, in order, as `[operation, call number]`. */
  const operationsOf = async (run: () => Promise<unknown>) => {
    for (const proxy of Object.values(proxies)) proxy.operations.length = 0;
    await run();
    const seen = new Map<string, number>();
    const calls: [string, number][] = [];
    for (const operation of [
      ...(proxies.dynamodb?.operations ?? []),
      ...(proxies.secretsmanager?.operations ?? []),
    ]) {
      const count = (seen.get(operation) ?? 0) + 1;
      seen.set(operation, count);
      calls.push([operation, count]);
    }
    return calls;
  };
  /** `once`: that call alone fails; `always`: it and every later call of its operation fail. */
  const FAULTS = [
    ['refuse', 'once'],
    ['drop', 'once'],
    ['refuse', 'always'],
    ['drop', 'always'],
  ] as const;
  const withFault = async <T>(
    operation: string,
    call: number,
    [action, times]: readonly [FaultAction, 'once' | 'always'],
    run: () => Promise<T>,
  ) => {
    const proxy = proxyOf(operation);
    proxy.setRule({
      operation,
      action,
      calls: times === 'once' ? [call] : Array.from({ length: 50 }, (_, index) => call + index),
    });
    try {
      return await run();
    } finally {
      proxy.setRule(null);
    }
  };

  beforeAll(async () => {
    service = await startLocalService({
      routeThrough: async (kind, endpoint) => {
        const proxy = await startFaultProxy(endpoint);
        proxies[kind] = proxy;
        return proxy.url;
      },
    });
    token = await service.token(tenant);
    expect(
      (await api('PUT', '/oauth-apps/demo-oauth2', { clientId: 'demo-client', clientSecret: 's-0' })).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await service.stop();
    for (const proxy of Object.values(proxies)) await proxy.stop();
  });

  it('the callback: every call, refused or its answer lost', async () => {
    const clean = await consented();
    const calls = await operationsOf(() => callback(clean.path));
    expect(calls.length).toBeGreaterThan(4);
    const wrong: unknown[] = [];
    let cases = 0;
    for (const [operation, call] of calls) {
      for (const fault of FAULTS) {
        cases++;
        const before = await demoCredentials();
        const { path, sessionId } = await consented();
        const answer = await withFault(operation, call, fault, () => callback(path));
        const added = (await demoCredentials()) - before;
        const session = (await api('GET', `/connect-sessions/${sessionId}`)).body;
        const told =
          answer.status === 200 && answer.text.includes('connected')
            ? // The session record may stay `exchanging` when marking it is what kept failing.
              added === 1 && session.status !== 'failed'
            : answer.status === 400
              ? added === 0 && answer.text.includes('Nothing was stored')
              : answer.status === 503
                ? answer.retryAfter !== null && !answer.text.includes('Nothing was stored') && added <= 1
                : false;
        if (!told)
          wrong.push({ operation, call, fault, status: answer.status, added, session: session.status });
      }
    }
    expect({ cases, wrong }).toEqual({ cases: calls.length * FAULTS.length, wrong: [] });
  });

  it('the OAuth app PUT: every call, refused or its answer lost, never a refusal of its own write', async () => {
    let version = 1;
    const put = (secret: string) =>
      service.api('PUT', '/oauth-apps/demo-oauth2', {
        token,
        body: { clientId: `client-${secret}`, clientSecret: secret },
        headers: { 'if-match': `"${version}"` },
      });
    const calls = await operationsOf(async () => {
      expect((await put('s-clean')).status).toBe(200);
      version++;
    });
    const wrong: unknown[] = [];
    for (const [operation, call] of calls) {
      for (const fault of FAULTS) {
        const secret = `s-${operation}-${call}-${fault.join('-')}`;
        const answer = await withFault(operation, call, fault, () => put(secret));
        const stored = (await api('GET', '/oauth-apps/demo-oauth2')).body;
        if (answer.status === 200) version++;
        const told =
          answer.status === 200
            ? stored.clientId === `client-${secret}` && stored.version === version
            : // Busy: the write may have landed or not, and the page claims neither.
              answer.status === 503 && (stored.version === version || stored.version === version + 1);
        if (!told) wrong.push({ operation, call, fault, status: answer.status, code: answer.body?.code });
        version = stored.version;
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a refresh whose lease acquire answer was lost holds the lease at once instead of waiting out its own', async () => {
    const { path, sessionId } = await consented();
    expect((await callback(path)).status).toBe(200);
    const credentialId = (await api('GET', `/connect-sessions/${sessionId}`)).body.credentialId as string;
    await api('PUT', '/flows/lost-acquire', {
      name: 'lost-acquire',
      status: 'active',
      steps: [{ stepId: 's', componentId: 'demo-oauth2', credentialId }],
    });
    await service.expireAccessToken(tenant, credentialId);
    const deps = buildResolveDependencies(service.deps, {
      cacheTtlMs: 0,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 2000 },
    });
    const before = service.oauth2.tokenRequests.length;
    // The refresh's first UpdateItem is the lease acquire: applied, its answer lost, retried by the SDK.
    const resolved = await withFault('UpdateItem', 1, ['drop', 'once'], () =>
      resolveCredential(
        deps,
        { tenantId: tenant, subject: 'workflow' },
        {
          flowId: 'lost-acquire',
          stepId: 's',
          executionId: 'e',
        },
      ),
    );
    expect(resolved.secrets.accessToken).toEqual(expect.any(String));
    expect(service.oauth2.tokenRequests.length - before).toBe(1);
  });
});
