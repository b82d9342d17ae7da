import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-layout';

describe('the layout that keeps cost flat as a tenant grows', () => {
  let service: LocalService;
  let token: string;
  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token(tenant);
  });
  afterAll(() => service.stop());

  const create = async (apiKey: string) =>
    (
      await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', fields: { apiKey } },
      })
    ).body.id as string;

  it('lists the credentials that need attention from a sparse index, in one Query', async () => {
    const healthy = await create('healthy-1');
    const failing = await create('soon-bad-1');
    await create('healthy-2');
    service.revokedPetstoreKeys.add('soon-bad-1');
    await service.api('POST', `/credentials/${failing}/verify`, { token });

    service.calls.reset();
    const invalid = await service.api('GET', '/credentials?status=invalid', { token });
    expect(service.calls.calls).toEqual(['Query']);
    expect(invalid.body.items.map((item: { id: string }) => item.id)).toEqual([failing]);
    const items = await service.scanTable();
    expect(items.find((item) => item.id === healthy)?.GSI2PK).toBeUndefined();
    expect(items.find((item) => item.id === failing)?.GSI2PK).toBe(`T#${tenant}#S#invalid`);

    // Healthy again: it leaves the index.
    service.revokedPetstoreKeys.delete('soon-bad-1');
    await service.api('POST', `/credentials/${failing}/verify`, { token });
    expect((await service.api('GET', '/credentials?status=invalid', { token })).body.items).toEqual([]);
    expect(
      (await service.api('GET', '/credentials?status=invalid&componentId=petstore', { token })).status,
    ).toBe(400);
  });

  it("keeps audit records out of the tenant's partition: one partition per credential, newest first", async () => {
    const id = await create('audited-1');
    await service.api('PATCH', `/credentials/${id}`, {
      token,
      body: { name: 'renamed' },
      headers: { 'if-match': '"1"' },
    });
    const items = await service.scanTable();
    const audit = items.filter((item) => item.entity === 'audit' && item.credentialId === id);
    expect(audit).toHaveLength(2);
    for (const record of audit) {
      expect(record.PK).toBe(`T#${tenant}#A#${id}`);
      expect(typeof record.expiresAtEpoch).toBe('number');
    }
    expect(items.some((item) => item.PK === `T#${tenant}` && String(item.SK).startsWith('AUDIT#'))).toBe(
      false,
    );

    service.calls.reset();
    const listed = await service.api('GET', `/credentials/${id}/audit`, { token });
    expect(service.calls.calls).toEqual(['Query']);
    expect(listed.body.items.map((record: { action: string }) => record.action)).toEqual([
      'updated',
      'created',
    ]);
  });
});
