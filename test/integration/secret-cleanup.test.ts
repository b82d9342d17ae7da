import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removedCredentials } from '../../functions/purge-deleted-secrets/removed-credentials.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { createCredential } from '../../shared/use-cases/create-credential.ts';
import { deleteCredential } from '../../shared/use-cases/delete-credential.ts';
import { purgeDeletedSecrets, sweepOrphanSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const actor = { tenantId: 'tenant-cleanup', subject: 'tester' };
const petstore = { componentId: 'petstore', fields: { apiKey: 'k-1' } };

describe('no orphan secrets and no lost deletions', () => {
  let service: LocalService;
  const secretNamed = (credentialId: string) =>
    service.secretsState
      .snapshot()
      .secrets.find((secret) => secret.name === `credentials/${actor.tenantId}/${credentialId}`);

  beforeAll(async () => {
    service = await startLocalService();
  });
  afterAll(() => service.stop());

  it('removes the new secret when the DynamoDB write fails', async () => {
    let attemptedId = '';
    const failing = {
      ...service.deps,
      credentials: {
        ...service.deps.credentials,
        create: async (credential: { id: string }) => {
          attemptedId = credential.id;
          throw new Error('DynamoDB unavailable');
        },
      },
    };

    await expect(createCredential(failing, actor, petstore)).rejects.toThrow('DynamoDB unavailable');

    expect(attemptedId).not.toBe('');
    expect(secretNamed(attemptedId)).toBeUndefined();
  });

  it('finishes a deletion from the table stream when the inline DeleteSecret failed', async () => {
    const { credential } = await createCredential(service.deps, actor, petstore);
    const flaky = {
      ...service.deps,
      secrets: {
        ...service.deps.secrets,
        scheduleDeletion: async () => Promise.reject(new Error('throttled')),
      },
    };
    const poller = await startStreamPoller({
      dynamoDb: service.dynamoDb,
      endpoint: inject('dynamoDbEndpoint'),
      tableName: service.config.tableName,
      consume: (event) =>
        purgeDeletedSecrets(
          service.deps,
          removedCredentials(event).map((entry) => entry.address),
        ),
      intervalMs: 0,
    });

    await deleteCredential(flaky, actor, { credentialId: credential.id });
    expect(secretNamed(credential.id)?.deletedDate).toBeUndefined();
    await poller.pollOnce();
    poller.stop();

    expect(secretNamed(credential.id)?.deletedDate).toBeTypeOf('number');
  });

  it('sweeps secrets without an item once they are older than the grace period, and only those', async () => {
    const { credential: kept } = await createCredential(service.deps, actor, petstore);
    const orphan = { tenantId: actor.tenantId, credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore' };
    await service.deps.secrets.create(orphan, { apiKey: 'lost' });

    const now = await sweepOrphanSecrets(service.deps);
    const later = await sweepOrphanSecrets({
      ...service.deps,
      clock: { now: () => new Date(Date.now() + 20 * 60_000) },
    });

    expect(now.scheduled).toEqual([]);
    expect(later.scheduled).toEqual([orphan]);
    expect(secretNamed(orphan.credentialId)?.deletedDate).toBeTypeOf('number');
    expect(secretNamed(kept.id)?.deletedDate).toBeUndefined();
  });

  it("sweeps only its own tenant's secrets in a per-tenant deployment", async () => {
    const mine = { tenantId: actor.tenantId, credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FB0.petstore' };
    const theirs = { tenantId: 'tenant-neighbour', credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FB1.petstore' };
    await service.deps.secrets.create(mine, { apiKey: 'a' });
    await service.deps.secrets.create(theirs, { apiKey: 'b' });

    const swept = await sweepOrphanSecrets({
      ...service.deps,
      tenantScope: actor.tenantId,
      clock: { now: () => new Date(Date.now() + 20 * 60_000) },
    });

    expect(swept.scheduled).toEqual([mine]);
    const neighbour = service.secretsState
      .snapshot()
      .secrets.find((secret) => secret.name.endsWith(theirs.credentialId));
    expect(neighbour?.deletedDate).toBeUndefined();
  });
});
