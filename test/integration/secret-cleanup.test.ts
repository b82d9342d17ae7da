import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removedCredentials } from '../../functions/purge-deleted-secrets/removed-credentials.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { createCredential } from '../../shared/use-cases/create-credential.ts';
import { deleteCredential } from '../../shared/use-cases/delete-credential.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets, sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';
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

  const failingWith = (error: Error) => {
    const attempted: string[] = [];
    const deps = {
      ...service.deps,
      credentials: {
        ...service.deps.credentials,
        create: async (credential: { id: string }) => {
          attempted.push(credential.id);
          throw error;
        },
      },
    };
    return { deps, attempted };
  };

  it('removes the new secret at once when the DynamoDB write is refused', async () => {
    const refused = Object.assign(new Error('refused'), {
      name: 'TransactionCanceledException',
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
    const { deps, attempted } = failingWith(refused);

    await expect(createCredential(deps, actor, petstore)).rejects.toThrow('refused');

    expect(attempted).toHaveLength(1);
    expect(secretNamed(attempted[0] ?? '')).toBeUndefined();
  });

  let unknownOutcomeId = '';
  it('keeps the secret when the write outcome is unknown (it may have committed): the sweeper decides', async () => {
    const { deps, attempted } = failingWith(
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    );

    await expect(createCredential(deps, actor, petstore)).rejects.toThrow('socket hang up');

    unknownOutcomeId = attempted[0] ?? '';
    expect(secretNamed(unknownOutcomeId)?.deletedDate).toBeUndefined();
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

  describe('a deleted OAuth2 credential whose tokens the purger revokes first', () => {
    const throttled = () =>
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    const deletedOAuth2Secret = async () => {
      const address = { tenantId: actor.tenantId, credentialId: `${ulid()}.demo-oauth2` };
      await service.deps.secrets.create(address, { accessToken: 'at-purge', refreshToken: 'rt-purge' });
      return address;
    };

    it('fails the record and deletes nothing when reading its secret fails transiently', async () => {
      const address = await deletedOAuth2Secret();
      const deps = {
        ...service.deps,
        secrets: { ...service.deps.secrets, read: async () => Promise.reject(throttled()) },
      };
      expect(await purgeDeletedSecrets(deps, [address])).toEqual([address]);
      expect(secretNamed(address.credentialId)?.deletedDate).toBeUndefined();
      expect(await purgeDeletedSecrets(service.deps, [address])).toEqual([]);
    });

    it('fails the record and deletes nothing when reading the OAuth app fails transiently', async () => {
      const address = await deletedOAuth2Secret();
      const deps = {
        ...service.deps,
        oauthApps: { ...service.deps.oauthApps, get: async () => Promise.reject(throttled()) },
      };
      expect(await purgeDeletedSecrets(deps, [address])).toEqual([address]);
      expect(secretNamed(address.credentialId)?.deletedDate).toBeUndefined();
      // Retried once AWS answers: nothing to revoke with (no OAuth app), so the secret goes.
      expect(await purgeDeletedSecrets(service.deps, [address])).toEqual([]);
      expect(secretNamed(address.credentialId)?.deletedDate).toBeTypeOf('number');
    });
  });

  it('sweeps secrets without an item once they are older than the grace period, and only those', async () => {
    const { credential: kept } = await createCredential(service.deps, actor, petstore);
    const orphan = { tenantId: actor.tenantId, credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore' };
    await service.deps.secrets.create(orphan, { apiKey: 'lost' });

    const now = await sweepSecrets(service.deps, Date.now() + 10_000);
    const later = await sweepSecrets(
      { ...service.deps, clock: { now: () => new Date(Date.now() + 20 * 60_000) } },
      Date.now() + 10_000,
    );

    expect(now.scheduled).toEqual([]);
    // The orphan, and the secret of the create whose outcome was unknown (its item never came).
    expect(later.scheduled).toHaveLength(2);
    expect(later.scheduled).toContainEqual(orphan);
    expect(later.scheduled).toContainEqual({ tenantId: actor.tenantId, credentialId: unknownOutcomeId });
    expect(secretNamed(orphan.credentialId)?.deletedDate).toBeTypeOf('number');
    expect(secretNamed(kept.id)?.deletedDate).toBeUndefined();
  });

  it("sweeps only its own tenant's secrets in a per-tenant deployment", async () => {
    const mine = { tenantId: actor.tenantId, credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FB0.petstore' };
    const theirs = { tenantId: 'tenant-neighbour', credentialId: '01ARZ3NDEKTSV4RRFFQ69G5FB1.petstore' };
    await service.deps.secrets.create(mine, { apiKey: 'a' });
    await service.deps.secrets.create(theirs, { apiKey: 'b' });

    const swept = await sweepSecrets(
      {
        ...service.deps,
        tenantScope: actor.tenantId,
        clock: { now: () => new Date(Date.now() + 20 * 60_000) },
      },
      Date.now() + 10_000,
    );

    expect(swept.scheduled).toEqual([mine]);
    const neighbour = service.secretsState
      .snapshot()
      .secrets.find((secret) => secret.name.endsWith(theirs.credentialId));
    expect(neighbour?.deletedDate).toBeUndefined();
  });
});

describe('the sweeper at scale and in reverse', () => {
  let service: LocalService;
  beforeAll(async () => {
    service = await startLocalService();
  });
  afterAll(() => service.stop());
  const later = () => ({ now: () => new Date(Date.now() + 20 * 60_000) });

  it('resumes where the last run stopped when its time is up', async () => {
    const tenantId = 'tenant-resume';
    for (let index = 0; index < 250; index++) {
      const ulid = `01J${String(index).padStart(23, '0')}`;
      await service.deps.secrets.create({ tenantId, credentialId: `${ulid}.petstore` }, { apiKey: 'x' });
    }
    let pages = 0;
    // Each page takes longer than the run's whole budget: exactly one page per run.
    const slow = {
      ...service.deps,
      tenantScope: tenantId,
      clock: later(),
      secrets: {
        ...service.deps.secrets,
        listManagedPage: async (tenant: string | undefined, token: string | undefined) => {
          pages++;
          await new Promise((resolve) => setTimeout(resolve, 60));
          return service.deps.secrets.listManagedPage(tenant, token);
        },
      },
    };

    const first = await sweepSecrets(slow, Date.now() + 30);
    const second = await sweepSecrets(slow, Date.now() + 30);
    const third = await sweepSecrets(slow, Date.now() + 30);

    expect([first.scheduled.length, second.scheduled.length, third.scheduled.length]).toEqual([100, 100, 50]);
    expect([first.complete, second.complete]).toEqual([false, false]);
    expect(pages).toBe(3);
  });

  it('marks a credential whose secret is gone invalid, audited and evented, once', async () => {
    const token = await service.token('tenant-reverse');
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'k-reverse' } },
    });
    await service.deps.secrets.deleteNow({ tenantId: 'tenant-reverse', credentialId: created.body.id });

    const swept = await sweepSecrets({ ...service.deps, tenantScope: 'tenant-reverse' }, Date.now() + 10_000);
    const again = await sweepSecrets({ ...service.deps, tenantScope: 'tenant-reverse' }, Date.now() + 10_000);

    expect(swept.invalidated).toEqual([created.body.id]);
    expect(again.invalidated).toEqual([]);
    const stored = await service.api('GET', `/credentials/${created.body.id}`, { token });
    expect(stored.body).toMatchObject({
      status: 'invalid',
      statusReason: expect.stringMatching(/^secret_missing/),
    });
    const audit = await service.api('GET', `/credentials/${created.body.id}/audit`, { token });
    expect(audit.body.items[0]).toMatchObject({
      action: 'invalidated',
      detail: 'secret_missing',
      actor: 'sweeper',
    });
  });

  it('marks a credential whose secret is gone invalid at the next resolve and the next check, not the next sweep', async () => {
    const tenantId = 'tenant-lost-secret';
    const token = await service.token(tenantId);
    const resolveActor = { tenantId, subject: 'workflow' };
    const create = async (apiKey: string, flowId: string) => {
      const created = await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', fields: { apiKey } },
      });
      const id = created.body.id as string;
      await service.api('PUT', `/flows/${flowId}`, {
        token,
        body: {
          name: flowId,
          status: 'active',
          steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
        },
      });
      await service.deps.secrets.deleteNow({ tenantId, credentialId: id });
      return id;
    };
    const auditOf = async (id: string) =>
      (await service.api('GET', `/credentials/${id}/audit`, { token })).body.items as {
        action: string;
        detail?: string;
      }[];

    const resolvedId = await create('k-lost-1', 'lost-resolve');
    const deps = buildResolveDependencies(service.deps, {
      cacheTtlMs: 0,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 5_000 },
    });
    await expect(
      resolveCredential(deps, resolveActor, { flowId: 'lost-resolve', stepId: 's', executionId: 'e' }),
    ).rejects.toMatchObject({ code: 'credential_invalid', extensions: { reason: 'secret_missing' } });
    expect((await service.api('GET', `/credentials/${resolvedId}`, { token })).body).toMatchObject({
      status: 'invalid',
      statusReason: expect.stringMatching(/^secret_missing/),
    });
    expect((await auditOf(resolvedId)).slice(0, 2)).toEqual([
      expect.objectContaining({ action: 'resolved', detail: 'refused:credential_invalid' }),
      expect.objectContaining({ action: 'invalidated', detail: 'secret_missing' }),
    ]);

    const checkedId = await create('k-lost-2', 'lost-check');
    const checked = await service.api('POST', `/credentials/${checkedId}/verify`, { token });
    expect(checked).toMatchObject({
      status: 422,
      body: { code: 'credential_invalid', reason: 'secret_missing' },
    });
    expect(await service.api('GET', `/credentials/${checkedId}`, { token })).toMatchObject({
      body: { status: 'invalid', statusReason: expect.stringMatching(/^secret_missing/) },
    });
    expect((await auditOf(checkedId))[0]).toMatchObject({ action: 'invalidated', detail: 'secret_missing' });
  });
});
