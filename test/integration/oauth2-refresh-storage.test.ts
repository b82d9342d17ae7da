import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { clientTokenCache } from '../../shared/use-cases/client-token-cache.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { reverifyCredential } from '../../shared/use-cases/reverify-credential.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';
import { MATRIX_REFRESH } from '../support/refresh-matrix.ts';

const tenantId = 'tenant-refresh-storage';
const actor = { tenantId, subject: 'workflow' };
const throttled = () =>
  Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });

/**
 * A refresh whose answer our own storage will not take: Secrets Manager refuses every write (its
 * shared write rate, an outage), or DynamoDB does. The provider's answer is never lost silently,
 * and no caller is told to retry what no retry can fix.
 */
describe('OAuth2 refresh when our own storage fails after the provider answered', () => {
  let service: LocalService;
  let rotating: OAuth2TestServer;
  let keeping: OAuth2TestServer;
  let token: string;
  let flows = 0;

  beforeAll(async () => {
    service = await startLocalService();
    rotating = await startOAuth2TestServer();
    keeping = await startOAuth2TestServer({ rotates: false });
    for (const server of [rotating, keeping]) service.allowVerificationTarget(server.url);
    token = await service.token(tenantId);
  });
  afterAll(async () => {
    await rotating.stop();
    await keeping.stop();
    await service.stop();
  });

  /** An OAuth2 credential whose access token has expired, used by an active flow. */
  const expiredCredential = async (server: OAuth2TestServer) => {
    const created = await service.api('POST', '/credentials', {
      token,
      body: {
        componentId: 'oauth2',
        fields: {
          tokenUrl: server.tokenUrl,
          clientId: 'client-1',
          clientSecret: 'client-secret-1',
          accessToken: 'expired-access',
          refreshToken: server.issueRefreshToken(),
          expiresAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await service.expireAccessToken(tenantId, id);
    const flowId = `storage-${++flows}`;
    await service.api('PUT', `/flows/${flowId}`, {
      token,
      body: {
        name: flowId,
        status: 'active',
        steps: [{ stepId: 's', componentId: 'oauth2', credentialId: id }],
      },
    });
    return { id, flowId };
  };
  const refusingWrites = (): UseCaseDependencies => ({
    ...service.deps,
    secrets: { ...service.deps.secrets, putVersion: async () => Promise.reject(throttled()) },
  });
  const resolveWith = (base: UseCaseDependencies, flowId: string) =>
    resolveCredential(
      buildResolveDependencies(base, { cacheTtlMs: 0, refreshMarginMs: 60_000, refresh: MATRIX_REFRESH }),
      actor,
      { flowId, stepId: 's', executionId: 'e', deadline: Date.now() + 6000 },
    );
  const works = async (server: OAuth2TestServer, accessToken: unknown) =>
    (await fetch(server.userinfoUrl, { headers: { authorization: `Bearer ${String(accessToken)}` } })).status;
  const credentialOf = async (id: string) => (await service.api('GET', `/credentials/${id}`, { token })).body;

  it('a rotating provider: the tokens in hand are served, and the credential is marked for reconnecting', async () => {
    const { id, flowId } = await expiredCredential(rotating);
    const resolved = await resolveWith(refusingWrites(), flowId);
    expect(await works(rotating, resolved.secrets.accessToken)).toBe(200);
    expect(await credentialOf(id)).toMatchObject({
      status: 'invalid',
      statusReason: expect.stringMatching(/^refresh_not_stored/),
    });
    // The next caller is told the truth, not to retry.
    await expect(resolveWith(service.deps, flowId)).rejects.toMatchObject({ code: 'credential_invalid' });
  });

  it('a provider that keeps its refresh token: nothing is written; the access token lives in memory', async () => {
    const { id, flowId } = await expiredCredential(keeping);
    const writes = service.secretsState.writeAccounting().writes;
    const calls = keeping.tokenCalls.length;
    const resolved = await resolveWith(refusingWrites(), flowId);
    expect(await works(keeping, resolved.secrets.accessToken)).toBe(200);
    expect(await credentialOf(id)).toMatchObject({ status: 'verified' });
    // The same container: the token in memory, no second call. Another: a refresh of its own.
    const again = await resolveWith(service.deps, flowId);
    expect(again.secrets.accessToken).toBe(resolved.secrets.accessToken);
    expect(keeping.tokenCalls.length).toBe(calls + 1);
    const elsewhere = await resolveWith({ ...service.deps, clientTokens: clientTokenCache() }, flowId);
    expect(await works(keeping, elsewhere.secrets.accessToken)).toBe(200);
    expect(keeping.tokenCalls.length).toBe(calls + 2);
    expect(service.secretsState.writeAccounting().writes).toBe(writes);
  });

  it('a store whose answer is lost every time has still landed: it is committed, not served in hand', async () => {
    const { id, flowId } = await expiredCredential(rotating);
    const lostAnswers: UseCaseDependencies = {
      ...service.deps,
      secrets: {
        ...service.deps.secrets,
        // Secrets Manager stores each write, and every answer is lost on the way back.
        putVersion: async (...args: Parameters<UseCaseDependencies['secrets']['putVersion']>) => {
          await service.deps.secrets.putVersion(...args);
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        },
      },
    };
    const resolved = await resolveWith(lostAnswers, flowId);
    expect(await works(rotating, resolved.secrets.accessToken)).toBe(200);
    expect(await credentialOf(id)).toMatchObject({ status: 'verified' });
    const stored = await service.deps.credentials.get(tenantId, id);
    const { values } = await service.deps.secrets.read(
      { tenantId, credentialId: id },
      stored?.secretVersionId,
    );
    expect(values.accessToken).toBe(resolved.secrets.accessToken);
  });

  it('DynamoDB refusing the commit: served from the stored version, which the next holder rolls forward', async () => {
    const { id, flowId } = await expiredCredential(rotating);
    const calls = rotating.tokenCalls.length;
    const refusingCommits: UseCaseDependencies = {
      ...service.deps,
      leases: { ...service.deps.leases, commit: async () => Promise.reject(throttled()) },
    };
    const resolved = await resolveWith(refusingCommits, flowId);
    expect(await works(rotating, resolved.secrets.accessToken)).toBe(200);
    const next = await resolveWith(service.deps, flowId);
    expect(await works(rotating, next.secrets.accessToken)).toBe(200);
    // Rolled forward: the provider was not asked again with a spent token.
    expect(rotating.tokenCalls.length).toBe(calls + 1);
    expect(rotating.usedRefreshTokens.size).toBeGreaterThan(0);
    expect(await credentialOf(id)).toMatchObject({ status: 'verified' });
  });

  it('a scheduled check postpones our storage failure: the provider is never marked unreachable for it', async () => {
    const { id } = await expiredCredential(keeping);
    const before = await service.deps.credentials.get(tenantId, id);
    const deps = { ...refusingWrites(), refresh: { ...service.deps.refresh, ...MATRIX_REFRESH } };
    await expect(reverifyCredential(deps, actor, id, { scheduled: true })).rejects.toMatchObject({
      code: 'upstream_unavailable',
    });
    const after = await credentialOf(id);
    expect(after.status).toBe(before?.status);
    expect(after.status).not.toBe('unreachable');
  });

  it('answers a retry hint that is the real wait: the back-off after a token endpoint outage, then what is left of it', async () => {
    const { id, flowId } = await expiredCredential(rotating);
    rotating.answerUnavailable(1, 7);
    const first = await resolveWith(service.deps, flowId).catch((error: unknown) => error);
    expect(first).toMatchObject({ code: 'upstream_unavailable', extensions: { retryAfterSeconds: 7 } });
    // Asked again at once: refused by the back-off without a call, and told what is left of it.
    const calls = rotating.tokenCalls.length;
    const second = (await resolveWith(service.deps, flowId).catch((error: unknown) => error)) as {
      extensions: { retryAfterSeconds: number };
    };
    expect(second).toMatchObject({ code: 'upstream_unavailable' });
    expect(second.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(second.extensions.retryAfterSeconds).toBeLessThanOrEqual(7);
    expect(rotating.tokenCalls.length).toBe(calls);
    // Both refusals are in the audit.
    const audit = (await service.api('GET', `/credentials/${id}/audit`, { token })).body.items as {
      detail?: string;
    }[];
    expect(audit.filter((item) => item.detail === 'refused:upstream_unavailable')).toHaveLength(2);
  });

  it('an early refresh takes one of the second’s Secrets Manager writes or waits; an expired token never waits', async () => {
    const due = [await expiredCredential(rotating), await expiredCredential(rotating)];
    // Verified and refreshed once (their tokens live an hour): both are due 5 minutes before expiry.
    for (const { flowId } of due) await resolveWith(service.deps, flowId);
    const expired = await expiredCredential(rotating);
    const fixed = new Date(Date.now() + 56 * 60_000);
    const oneWriteASecond: UseCaseDependencies = {
      ...service.deps,
      clock: { now: () => fixed },
      refresh: { ...service.deps.refresh, ...MATRIX_REFRESH, secretWritesPerSecond: 1 },
    };
    const resolveAt = (flowId: string) =>
      resolveCredential(
        buildResolveDependencies(oneWriteASecond, { cacheTtlMs: 0, refreshMarginMs: 300_000, refresh: {} }),
        actor,
        { flowId, stepId: 's', executionId: 'e', deadline: Date.now() + 6000 },
      );
    const [first, second] = due as [{ id: string; flowId: string }, { id: string; flowId: string }];
    // The service's own version (the public one moves only with a person's edit).
    const writtenVersion = async (id: string) =>
      (await service.deps.credentials.get(tenantId, id))?.version ?? 0;
    const before = await Promise.all([first, second].map(({ id }) => writtenVersion(id)));
    const calls = rotating.tokenCalls.length;
    await resolveAt(first.flowId);
    const deferred = await resolveAt(second.flowId);
    await resolveAt(expired.flowId);
    // One early refresh in that second, and the expired one; the second's token still works.
    expect(rotating.tokenCalls.length).toBe(calls + 2);
    expect(await works(rotating, deferred.secrets.accessToken)).toBe(200);
    expect(await writtenVersion(first.id)).toBeGreaterThan(before[0] ?? 0);
    expect(await writtenVersion(second.id)).toBe(before[1]);
  });

  it('a deferred early refresh serves the token the container holds, newer than the stored one', async () => {
    const { flowId } = await expiredCredential(keeping);
    const memory = clientTokenCache();
    // The container refreshes (the provider kept its refresh token): the new token lives in memory,
    // the stored one stays expired.
    const inMemory = await resolveWith({ ...service.deps, clientTokens: memory }, flowId);
    const fixed = new Date(Date.now() + 56 * 60_000);
    const spent: UseCaseDependencies = {
      ...service.deps,
      clientTokens: memory,
      clock: { now: () => fixed },
      refresh: { ...service.deps.refresh, ...MATRIX_REFRESH, secretWritesPerSecond: 1 },
    };
    // That second's one write is taken (by this line, or by another test in the same second): the
    // early refresh must wait.
    await service.deps.leases.takeWriteSlot(tenantId, fixed, 1);
    expect(await service.deps.leases.takeWriteSlot(tenantId, fixed, 1)).toBe(false);
    const calls = keeping.tokenCalls.length;
    const deferred = await resolveCredential(
      buildResolveDependencies(spent, { cacheTtlMs: 0, refreshMarginMs: 300_000, refresh: {} }),
      actor,
      { flowId, stepId: 's', executionId: 'e', deadline: Date.now() + 6000 },
    );
    expect(keeping.tokenCalls.length).toBe(calls);
    expect(deferred.secrets.accessToken).toBe(inMemory.secrets.accessToken);
  });
});
