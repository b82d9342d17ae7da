import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import type { StepCredentialDependencies } from '../../shared/use-cases/step-credential.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-revoke';
const actor = { tenantId: tenant, subject: 'workflow' };

describe('revocation takes effect on the very next resolve, warm cache or not', () => {
  let service: LocalService;
  let token: string;
  let warm: StepCredentialDependencies;
  const create = async (apiKey: string) =>
    (
      await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', fields: { apiKey } },
      })
    ).body.id as string;
  const putFlow = (status: string, credentialId: string) =>
    service.api('PUT', '/flows/sync', {
      token,
      body: { name: 'sync', status, steps: [{ stepId: 's', componentId: 'petstore', credentialId }] },
    });

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token(tenant);
    warm = buildResolveDependencies(service.deps, {
      cacheTtlMs: 60_000,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 5_000 },
    });
  });
  afterAll(() => service.stop());

  it('refuses right after the flow is deactivated, and after its step moves to another credential', async () => {
    const first = await create('first-key');
    const second = await create('second-key');
    const input = { flowId: 'sync', stepId: 's', executionId: 'e', credentialId: first };
    await putFlow('active', first);
    await resolveCredential(warm, actor, input);
    await resolveCredential(warm, actor, input); // now a warm hit

    await putFlow('inactive', first);
    await expect(resolveCredential(warm, actor, input)).rejects.toMatchObject({ code: 'flow_not_active' });

    await putFlow('active', first);
    await resolveCredential(warm, actor, input);
    await putFlow('active', second);
    await expect(resolveCredential(warm, actor, input)).rejects.toMatchObject({
      code: 'credential_not_used_by_step',
      extensions: { currentCredentialId: second },
    });
    const moved = await resolveCredential(warm, actor, { ...input, credentialId: second });
    expect(moved.secrets).toEqual({ apiKey: 'second-key' });
  });
});
