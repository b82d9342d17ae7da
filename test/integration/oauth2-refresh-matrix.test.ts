import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';
import { runScenario, SCENARIOS } from '../support/refresh-matrix.ts';
import { type RotatingTokenServer, startRotatingTokenServer } from '../support/rotating-token-server.ts';

const tenant = 'tenant-matrix';

/**
 * Every step of a refresh can fail: before the call, during it, after the provider commits and
 * before each store, after each store, with several containers and a holder that dies. After each:
 * no spent refresh token presented again, `verified` with working tokens whenever the provider's
 * answer was received, `invalid` only for a refusal or a lost answer, and never `verified` with
 * revoked tokens.
 */
describe('OAuth2 refresh under failure (strict rotating provider)', () => {
  let service: LocalService;
  let provider: RotatingTokenServer;
  let token: string;
  beforeAll(async () => {
    // Stored as given: verification would itself spend the refresh token.
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    provider = await startRotatingTokenServer();
    service.allowVerificationTarget(provider.url);
    token = await service.token(tenant);
  });
  afterAll(async () => {
    await provider.stop();
    await service.stop();
  });

  it.each(SCENARIOS.map((scenario, index) => [scenario.name, scenario, index] as const))(
    '%s',
    async (_name, scenario, index) => {
      const row = await runScenario(service, provider, token, tenant, scenario, index);
      expect({ ...row, holds: undefined }).toMatchObject({
        reuses: scenario.toleratedReuses ?? 0,
        finalStatus: scenario.expect,
        tokenCalls: scenario.tokenCalls,
        verifiedWithRevokedTokens: false,
        violations: [],
        faultFired: true,
      });
      expect(row.holds).toBe(true);
    },
    20_000,
  );
});

describe('the refresh lease', () => {
  let service: LocalService;
  let provider: RotatingTokenServer;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    provider = await startRotatingTokenServer();
    service.allowVerificationTarget(provider.url);
  });
  afterAll(async () => {
    await provider.stop();
    await service.stop();
  });

  const oauthCredential = async (tenantId: string) => {
    const token = await service.token(tenantId);
    const created = await service.api('POST', '/credentials', {
      token,
      body: {
        componentId: 'oauth2',
        fields: {
          tokenUrl: provider.tokenUrl,
          clientId: 'c',
          accessToken: 'a',
          refreshToken: provider.issueFamily(),
          expiresAt: new Date(Date.now() - 1000).toISOString(),
        },
      },
    });
    const credential = await service.deps.credentials.get(tenantId, created.body.id);
    if (!credential) throw new Error('not created');
    return credential;
  };

  it('fences a holder whose lease expired: its late result is never stored, invalid is never revived', async () => {
    const credential = await oauthCredential('tenant-fence');
    const { leases, clock } = service.deps;
    const first = await leases.acquire('tenant-fence', credential.id, 'a', clock.now(), 50, 0);
    if (!first.acquired) throw new Error('first holder should acquire');
    await new Promise((resolve) => setTimeout(resolve, 80));
    const second = await leases.acquire('tenant-fence', credential.id, 'b', clock.now(), 10_000, 0);
    if (!second.acquired) throw new Error('second holder should acquire the expired lease');
    const audit = {
      tenantId: 'tenant-fence',
      credentialId: credential.id,
      componentId: 'oauth2',
      action: 'refreshed' as const,
      actor: 'x',
      at: new Date().toISOString(),
    };
    const changes = { status: 'verified' as const, updatedAt: audit.at, updatedBy: 'x' };

    expect(await leases.commit(first.holding, credential, credential.secretVersionId, changes, audit)).toBe(
      'fenced',
    );
    expect(await leases.recordAttempt(first.holding, { state: 'sent', secretVersionId: 'v' })).toBe(false);
    expect(await leases.commit(second.holding, credential, 'another-version', changes, audit)).toBe(
      'superseded',
    );
    expect(await leases.commit(second.holding, credential, credential.secretVersionId, changes, audit)).toBe(
      'committed',
    );
  });

  it('does not wait out another holder past a short clock skew, and answers with the back-off in force', async () => {
    const credential = await oauthCredential('tenant-backoff');
    const { leases, clock } = service.deps;
    const held = await leases.acquire('tenant-backoff', credential.id, 'a', clock.now(), 10_000, 0);
    if (!held.acquired) throw new Error('should acquire');
    await leases.recordAttempt(held.holding, {
      state: 'retryable',
      secretVersionId: 'v',
      backoffUntil: Date.now() + 5000,
    });
    const refused = await leases.acquire('tenant-backoff', credential.id, 'b', clock.now(), 10_000, 0);
    expect(refused.acquired).toBe(false);
    expect(refused.acquired ? undefined : refused.state?.backoffUntil).toBeGreaterThan(Date.now());
  });

  it('never starts a token call that could not finish and be stored before the deadline', async () => {
    const credential = await oauthCredential('tenant-budget');
    const token = await service.token('tenant-budget');
    await service.api('PUT', '/flows/budget', {
      token,
      body: {
        name: 'budget',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'oauth2', credentialId: credential.id }],
      },
    });
    const before = provider.presented.length;
    const deps = buildResolveDependencies(service.deps, { cacheTtlMs: 0, refreshMarginMs: 60_000 });
    await expect(
      resolveCredential(
        deps,
        { tenantId: 'tenant-budget', subject: 'wf' },
        {
          flowId: 'budget',
          stepId: 's',
          executionId: 'e',
          credentialId: credential.id,
          // What a Lambda with 2 s left would pass: not enough for a 1.5 s call plus two stores.
          deadline: Date.now() + 2000,
        },
      ),
    ).rejects.toMatchObject({ code: 'upstream_unavailable' });
    expect(provider.presented.length).toBe(before);
    expect((await service.api('GET', `/credentials/${credential.id}`, { token })).body.status).not.toBe(
      'invalid',
    );
  });
});
