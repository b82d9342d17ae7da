import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededCredential } from '../../local/seeded-credential.ts';
import { credentialKey } from '../../shared/adapters/dynamodb/table-layout.ts';
import { auditEntry } from '../../shared/domain/audit.ts';
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

  it('searches by the start of a name from a sparse name index: one Query, folded, by component, page by page', async () => {
    let keys = 0;
    const named = async (name: string) => {
      const created = await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', name, fields: { apiKey: `named-${++keys}` } },
      });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const orders = await named('Orders API');
    const backup = await named('orders backup');
    const wide = await named('ＯＲＤＥＲＳ wide');
    await named('Ordnance');
    await named('Billing');
    const names = (body: { items: { name: string }[] }) => body.items.map((item) => item.name);

    service.calls.reset();
    const found = await service.api('GET', '/credentials?name=ORDERS', { token });
    expect(found.status).toBe(200);
    expect(service.calls.calls).toEqual(['Query']);
    // Name order, whatever the case or width (NFKC folds the full-width letters).
    expect(names(found.body)).toEqual(['Orders API', 'orders backup', 'ＯＲＤＥＲＳ wide']);
    expect((await service.api('GET', '/credentials?name=ordn', { token })).body.items).toHaveLength(1);
    expect((await service.api('GET', '/credentials?name=zzz', { token })).body.items).toEqual([]);
    // Hostile or odd searches: refused in words, or answered; never a 500.
    for (const [query, status] of [
      ['name=%01', 400],
      ['name=', 400],
      [`name=${'a'.repeat(201)}`, 400],
      ['name=%F4%8F%BF%BF', 200],
      ['name=%ED%9F%BF', 200],
    ] as const)
      expect((await service.api('GET', `/credentials?${query}`, { token })).status, query).toBe(status);

    // Page by page, each page one Query on the same range.
    const first = await service.api('GET', '/credentials?name=orders&limit=2', { token });
    expect(names(first.body)).toEqual(['Orders API', 'orders backup']);
    const second = await service.api(
      'GET',
      `/credentials?name=orders&limit=2&cursor=${first.body.nextCursor}`,
      {
        token,
      },
    );
    expect(names(second.body)).toEqual(['ＯＲＤＥＲＳ wide']);

    // Of one component only; never with a status filter.
    // Another component's, written as the repository writes every credential.
    const at = new Date().toISOString();
    const basic = `01JD${'0'.repeat(21)}1.http-basic`;
    const login = seededCredential({
      tenantId: tenant,
      id: basic,
      componentId: 'http-basic',
      name: 'Orders login',
      secretFieldsSet: [],
      createdAt: at,
    });
    await service.deps.credentials.create(
      login,
      undefined,
      auditEntry({ tenantId: tenant, subject: 'seed' }, login, 'created', new Date(at)),
    );
    const byComponent = await service.api('GET', '/credentials?name=orders&componentId=http-basic', {
      token,
    });
    expect(byComponent.body.items.map((item: { id: string }) => item.id)).toEqual([basic]);
    expect((await service.api('GET', '/credentials?name=orders&status=invalid', { token })).status).toBe(400);

    // Renamed, it moves in the index; an item an earlier version wrote (no name keys) joins it at
    // its next write, such as a scheduled or asked-for check.
    await service.api('PATCH', `/credentials/${backup}`, {
      token,
      body: { name: 'Archive' },
      headers: { 'if-match': '"1"' },
    });
    expect(names((await service.api('GET', '/credentials?name=archive', { token })).body)).toEqual([
      'Archive',
    ]);
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: credentialKey(tenant, orders),
        UpdateExpression: 'REMOVE GSI4PK, GSI4SK',
      }),
    );
    expect(names((await service.api('GET', '/credentials?name=orders api', { token })).body)).toEqual([]);
    await service.api('POST', `/credentials/${orders}/verify`, { token });
    expect(names((await service.api('GET', '/credentials?name=orders api', { token })).body)).toEqual([
      'Orders API',
    ]);
    expect(wide).toBeDefined();
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
