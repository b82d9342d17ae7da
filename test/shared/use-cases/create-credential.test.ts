import { describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../shared/adapters/logging/json-logger.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../../shared/components/index.ts';
import { componentCatalog } from '../../../shared/domain/component-catalog.ts';
import type { Credential } from '../../../shared/domain/credential.ts';
import { AppError } from '../../../shared/errors/app-error.ts';
import type { CreateOutcome, CredentialRepository } from '../../../shared/ports/credential-repository.ts';
import type { SecretStore } from '../../../shared/ports/secret-store.ts';
import { type CreateDependencies, createCredential } from '../../../shared/use-cases/create-credential.ts';

const fakes = (outcome: (credential: Credential) => Promise<CreateOutcome>) => {
  const secrets = { create: vi.fn(async () => 'v1'), deleteNow: vi.fn(async () => {}) };
  const credentials = { create: vi.fn(outcome), get: vi.fn(async (): Promise<Credential | null> => null) };
  const deps = {
    components: componentCatalog(loadBundledComponents(DEFAULT_COMPONENT_SETTINGS)),
    credentials: credentials as unknown as CredentialRepository,
    secrets: secrets as unknown as SecretStore,
    verifier: { verify: vi.fn(async () => ({ outcome: 'verified' }) as const) },
    clock: { now: () => new Date('2026-06-01T00:00:00.000Z') },
    ids: { next: () => '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
    logger: silentLogger,
    health: { intervalMs: 86_400_000 },
  } satisfies CreateDependencies;
  return { deps, secrets, credentials };
};

const actor = { tenantId: 't', subject: 'creator' };
const input = {
  componentId: 'petstore',
  name: 'prod',
  fields: { apiKey: 'k-1' },
  idempotencyKey: 'retry-key-1',
};

describe('createCredential', () => {
  it('creates the secret first, then the item, and never puts the secret value in the item', async () => {
    const { deps, secrets, credentials } = fakes(async () => ({ kind: 'created' }));
    const { credential, created } = await createCredential(deps, actor, input);
    expect(created).toBe(true);
    expect(credential).toMatchObject({
      id: '01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore',
      fields: {},
      secretFieldsSet: ['apiKey'],
      secretVersionId: 'v1',
    });
    expect(JSON.stringify(credentials.create.mock.calls)).not.toContain('k-1');
    expect(secrets.create.mock.invocationCallOrder[0]).toBeLessThan(
      credentials.create.mock.invocationCallOrder[0] ?? 0,
    );
  });

  it('on an idempotent replay returns the earlier credential and discards its own secret', async () => {
    const earlier = { id: 'earlier.petstore' } as Credential;
    const { deps, secrets } = fakes(async () => ({ kind: 'replayed', credential: earlier }));
    const result = await createCredential(deps, actor, input);
    expect(result).toEqual({ credential: earlier, created: false });
    expect(secrets.deleteNow).toHaveBeenCalledWith({
      tenantId: 't',
      credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore',
    });
  });

  it('discards the secret when the item cannot be written, and rethrows', async () => {
    const { deps, secrets } = fakes(async () => {
      throw new AppError('idempotency_key_reused', 'reused');
    });
    await expect(createCredential(deps, actor, input)).rejects.toMatchObject({
      code: 'idempotency_key_reused',
    });
    expect(secrets.deleteNow).toHaveBeenCalledTimes(1);
  });

  it('answers 201 when the write committed but its answer was lost, and keeps the secret', async () => {
    const { deps, secrets, credentials } = fakes(async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    credentials.get.mockImplementation(async () => credentials.create.mock.calls[0]?.[0] ?? null);
    const result = await createCredential(deps, actor, input);
    expect(result.created).toBe(true);
    expect(result.credential.secretVersionId).toBe('v1');
    expect(secrets.deleteNow).not.toHaveBeenCalled();
  });

  it('never deletes the secret on an unknown outcome with no item: the sweeper decides later', async () => {
    const { deps, secrets } = fakes(async () => {
      throw Object.assign(new Error('x'), { name: 'TimeoutError' });
    });
    await expect(createCredential(deps, actor, input)).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(secrets.deleteNow).not.toHaveBeenCalled();
  });

  it('retries CreateSecret with the same request token, then cleans up on final failure', async () => {
    const { deps, secrets, credentials } = fakes(async () => ({ kind: 'created' }));
    secrets.create.mockRejectedValue(Object.assign(new Error('x'), { code: 'ECONNRESET' }));
    await expect(createCredential(deps, actor, input)).rejects.toMatchObject({ code: 'ECONNRESET' });
    const tokens = secrets.create.mock.calls.map((call) => (call as unknown[])[2]);
    expect(tokens).toHaveLength(3);
    expect(new Set(tokens).size).toBe(1);
    expect(secrets.deleteNow).toHaveBeenCalledTimes(1);
    expect(credentials.create).not.toHaveBeenCalled();
  });

  it("refuses another component's fields before any port is called", async () => {
    const { deps, secrets, credentials } = fakes(async () => ({ kind: 'created' }));
    await expect(
      createCredential(deps, actor, { componentId: 'petstore', fields: { password: 'x' } }),
    ).rejects.toMatchObject({
      code: 'validation_failed',
    });
    expect(deps.verifier.verify).not.toHaveBeenCalled();
    expect(secrets.create).not.toHaveBeenCalled();
    expect(credentials.create).not.toHaveBeenCalled();
  });
});
