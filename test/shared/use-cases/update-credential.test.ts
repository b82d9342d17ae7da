import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../shared/adapters/logging/json-logger.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../../shared/components/index.ts';
import type { ComponentDefinition } from '../../../shared/domain/component.ts';
import { componentCatalog } from '../../../shared/domain/component-catalog.ts';
import type { Credential } from '../../../shared/domain/credential.ts';
import { DEFAULT_REFRESH_SETTINGS } from '../../../shared/domain/refresh-timing.ts';
import { bindSecret } from '../../../shared/domain/secret-binding.ts';
import type { CredentialRepository } from '../../../shared/ports/credential-repository.ts';
import type { SecretStore } from '../../../shared/ports/secret-store.ts';
import { updateCredential } from '../../../shared/use-cases/update-credential.ts';
import type { UseCaseDependencies } from '../../../shared/use-cases/use-case-dependencies.ts';

const registry = loadBundledComponents(DEFAULT_COMPONENT_SETTINGS);
const petstore = registry.find((component) => component.id === 'petstore') as ComponentDefinition;

const stored: Credential = {
  tenantId: 't',
  id: '01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore',
  componentId: 'petstore',
  name: 'prod',
  fields: {},
  secretFieldsSet: ['apiKey'],
  secretVersionId: 'v1',
  status: 'verified',
  statusReason: null,
  lastVerifiedAt: null,
  version: 3,
  activeFlowCount: 0,
  flowCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  createdBy: 'u',
  updatedBy: 'u',
};

/** In-memory fakes of the ports: the rules of the use case, without AWS. */
const fakes = (verdict: 'verified' | 'refused' = 'verified') => {
  const secrets = {
    read: vi.fn(async () => ({
      values: bindSecret(petstore, stored.fields, { apiKey: 'old-key' }),
      versionId: 'v1',
    })),
    putVersion: vi.fn(async () => 'v2'),
  };
  const credentials = {
    get: vi.fn(async () => stored),
    update: vi.fn(async (current: Credential, changes: object) => ({
      ...current,
      ...changes,
      version: current.version + 1,
    })),
  };
  const verifier = {
    verify: vi.fn(async () =>
      verdict === 'verified'
        ? ({ outcome: 'verified' } as const)
        : ({
            outcome: 'failed',
            reason: 'invalid_credentials',
            detail: 'the API rejected the credentials (401).',
            upstreamStatus: 401,
          } as const),
    ),
  };
  const deps = {
    components: componentCatalog(registry),
    credentials: credentials as unknown as CredentialRepository,
    secrets: secrets as unknown as SecretStore,
    verifier,
    clock: { now: () => new Date('2026-06-01T00:00:00.000Z') },
    ids: { next: () => 'unused' },
    logger: silentLogger,
    flows: {} as UseCaseDependencies['flows'],
    leases: {} as UseCaseDependencies['leases'],
    tokens: {} as UseCaseDependencies['tokens'],
    refresh: DEFAULT_REFRESH_SETTINGS,
    health: { intervalMs: 86_400_000 },
    oauthApps: {} as UseCaseDependencies['oauthApps'],
    connectSessions: {} as UseCaseDependencies['connectSessions'],
    connect: { returnUrls: [] },
    clientTokens: {} as UseCaseDependencies['clientTokens'],
  } satisfies UseCaseDependencies;
  return { deps, secrets, credentials, verifier };
};

const actor = { tenantId: 't', subject: 'editor' };

describe('updateCredential', () => {
  it('refuses a stale version before reading the secret, verifying or writing anything', async () => {
    const { deps, secrets, credentials, verifier } = fakes();
    await expect(
      updateCredential(deps, actor, { credentialId: stored.id, expectedVersion: 2, fields: { apiKey: 'x' } }),
    ).rejects.toMatchObject({
      code: 'version_mismatch',
      extensions: { currentVersion: 3 },
    });
    expect(secrets.read).not.toHaveBeenCalled();
    expect(verifier.verify).not.toHaveBeenCalled();
    expect(secrets.putVersion).not.toHaveBeenCalled();
    expect(credentials.update).not.toHaveBeenCalled();
  });

  it('renames without touching Secrets Manager or the verifier', async () => {
    const { deps, secrets, verifier, credentials } = fakes();
    const updated = await updateCredential(deps, actor, {
      credentialId: stored.id,
      expectedVersion: 3,
      name: 'renamed',
    });
    expect(updated).toMatchObject({ name: 'renamed', version: 4, updatedBy: 'editor' });
    expect(secrets.read).not.toHaveBeenCalled();
    expect(verifier.verify).not.toHaveBeenCalled();
    expect(credentials.update).toHaveBeenCalledWith(stored, expect.objectContaining({ name: 'renamed' }), [
      expect.objectContaining({ action: 'updated', credentialName: 'renamed' }),
    ]);
  });

  it('verifies the merged fields and writes a new secret version only when a secret changed', async () => {
    const { deps, secrets, verifier } = fakes();
    const updated = await updateCredential(deps, actor, {
      credentialId: stored.id,
      expectedVersion: 3,
      fields: { apiKey: 'new-key' },
    });
    expect(verifier.verify).toHaveBeenCalledWith(
      expect.objectContaining({ id: 'petstore' }),
      { apiKey: 'new-key' },
      { mayRefresh: false },
    );
    expect(secrets.putVersion).toHaveBeenCalledWith(
      { tenantId: 't', credentialId: stored.id },
      bindSecret(petstore, {}, { apiKey: 'new-key' }),
      expect.any(String),
    );
    expect(updated).toMatchObject({ secretVersionId: 'v2', status: 'verified' });
  });

  it('stores nothing when verification fails', async () => {
    const { deps, secrets, credentials } = fakes('refused');
    await expect(
      updateCredential(deps, actor, {
        credentialId: stored.id,
        expectedVersion: 3,
        fields: { apiKey: 'typo' },
      }),
    ).rejects.toMatchObject({
      code: 'verification_failed',
      extensions: { reason: 'invalid_credentials', upstreamStatus: 401 },
    });
    expect(secrets.putVersion).not.toHaveBeenCalled();
    expect(credentials.update).not.toHaveBeenCalled();
  });

  it('refuses a destination change without the secrets, before any AWS call', async () => {
    const { deps, secrets, credentials, verifier } = fakes();
    await expect(
      updateCredential(deps, actor, {
        credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FAV.http-api-key',
        expectedVersion: 3,
        fields: { baseUrl: 'https://attacker.example' },
      }),
    ).rejects.toMatchObject({ code: 'secrets_required', extensions: { secretFields: ['apiKey'] } });
    expect(credentials.get).not.toHaveBeenCalled();
    expect(secrets.read).not.toHaveBeenCalled();
    expect(verifier.verify).not.toHaveBeenCalled();
  });

  it('refuses to send a stored secret whose binding does not match the stored destination', async () => {
    const { deps, secrets, verifier } = fakes();
    secrets.read.mockResolvedValueOnce({ values: { apiKey: 'old-key' }, versionId: 'v1' });
    await expect(
      updateCredential(deps, actor, {
        credentialId: stored.id,
        expectedVersion: 3,
        fields: { apiKey: 'k2' },
      }),
    ).rejects.toMatchObject({ code: 'secrets_required' });
    expect(verifier.verify).not.toHaveBeenCalled();
  });
});
