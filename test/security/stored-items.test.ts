import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removedCredentials } from '../../functions/purge-deleted-secrets/removed-credentials.ts';
import { toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-items';

describe('items written outside the service are never served as data', () => {
  let service: LocalService;
  let token: string;
  let good: Record<string, unknown>;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token(tenant);
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', name: 'good', fields: { apiKey: 'good-key' } },
    });
    good = (await service.scanTable()).find((item) => item.id === created.body.id) as Record<string, unknown>;
  });
  afterAll(() => service.stop());

  const plant = async (id: string, attributes: Record<string, unknown>) => {
    await service.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: toAttributes({
          ...attributes,
          PK: `T#${tenant}`,
          SK: `CRED#${id}`,
          GSI1PK: `T#${tenant}#C#petstore`,
          GSI1SK: id,
        }),
      }),
    );
  };

  it("never lists another tenant's credential through a corrupted index key", async () => {
    const other = 'tenant-items-other';
    const otherToken = await service.token(other);
    const created = await service.api('POST', '/credentials', {
      token: otherToken,
      body: { componentId: 'petstore', name: 'theirs', fields: { apiKey: 'their-key' } },
    });
    const theirs = (await service.scanTable()).find((item) => item.id === created.body.id) as Record<
      string,
      unknown
    >;
    // Their item, with index keys rewritten to name this tenant (a bad migration, a console edit).
    await service.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: toAttributes({
          ...theirs,
          status: 'invalid',
          GSI1PK: `T#${tenant}#C#petstore`,
          GSI2PK: `T#${tenant}#S#invalid`,
          GSI2SK: theirs.id,
        }),
      }),
    );
    const byComponent = await service.api('GET', '/credentials?componentId=petstore', { token });
    const needsAttention = await service.api('GET', '/credentials?status=invalid', { token });
    for (const page of [byComponent, needsAttention]) {
      expect(page.status).toBe(200);
      expect(page.body.items.map((item: { id: string }) => item.id)).not.toContain(theirs.id);
      expect(page.text).not.toContain('theirs');
    }
    const skipped = service.logLines.filter((line) => line.includes('skipped a malformed item'));
    expect(skipped.some((line) => line.includes(String(theirs.id)))).toBe(true);
  });

  it('answers 409 corrupt_item (the key, never the values) for a malformed item, and lists the rest', async () => {
    const cases: [string, Record<string, unknown>][] = [
      [
        '01J00000000000000000000001.petstore',
        { ...good, id: '01J00000000000000000000001.petstore', name: 42 },
      ],
      [
        '01J00000000000000000000002.petstore',
        { ...good, id: '01J00000000000000000000002.petstore', fields: 'notamap' },
      ],
      ['01J00000000000000000000003.petstore', { entity: 'credential' }],
      // Claims to be another credential than its key says.
      ['01J00000000000000000000004.petstore', { ...good, name: 'sneaky-value' }],
    ];
    for (const [id, attributes] of cases) await plant(id, attributes);
    service.logLines.length = 0;

    let served = 0;
    for (const [id] of cases) {
      const response = await service.api('GET', `/credentials/${id}`, { token });
      if (response.status === 200) served++;
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({
        code: 'corrupt_item',
        key: { PK: `T#${tenant}`, SK: `CRED#${id}` },
      });
      expect(response.text).not.toContain('sneaky-value');
    }
    const list = await service.api('GET', '/credentials?limit=100', { token });
    const byComponent = await service.api('GET', '/credentials?componentId=petstore&limit=100', { token });

    expect(served).toBe(0);
    expect(list.status).toBe(200);
    expect(list.body.items.map((item: { name: string }) => item.name)).toEqual(['good']);
    expect(byComponent.body.items.map((item: { name: string }) => item.name)).toEqual(['good']);
    const warnings = service.logLines.filter((line) => line.includes('skipped a malformed item'));
    expect(warnings.length).toBeGreaterThanOrEqual(cases.length);
    expect(service.logLines.join('\n')).not.toContain('sneaky-value');
    expect(service.logLines.some((line) => line.includes('"code":"corrupt_item"'))).toBe(true);
  });
});

describe('the stream purger deletes only the secret its key names, and only if the secret agrees', () => {
  let service: LocalService;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
  });
  afterAll(() => service.stop());

  const removal = (pk: string, sk: string, oldImage: Record<string, unknown>): DynamoDBStreamEvent => ({
    Records: [
      {
        eventName: 'REMOVE',
        dynamodb: {
          Keys: { PK: { S: pk }, SK: { S: sk } },
          OldImage: toAttributes(oldImage) as never,
          SequenceNumber: '1',
        },
      },
    ],
  });

  it('ignores the old image: a malformed item of tenant A cannot remove tenant B’s live secret', async () => {
    const victim = (
      await service.api('POST', '/credentials', {
        token: await service.token('tenant-b'),
        body: { componentId: 'petstore', fields: { apiKey: 'victim-key' } },
      })
    ).body.id as string;
    const event = removal('T#tenant-a', 'CRED#01J0000000000000000000009Z.petstore', {
      entity: 'credential',
      tenantId: 'tenant-b',
      id: victim,
    });

    const addresses = removedCredentials(event).map((entry) => entry.address);
    await purgeDeletedSecrets(service.deps, addresses);

    expect(addresses).toEqual([
      { tenantId: 'tenant-a', credentialId: '01J0000000000000000000009Z.petstore' },
    ]);
    const described = await service.deps.secrets.describe({ tenantId: 'tenant-b', credentialId: victim });
    expect(described?.deleted).toBe(false);
  });

  it('refuses to delete a secret whose tags name another owner', async () => {
    const address = { tenantId: 'tenant-c', credentialId: '01J000000000000000000000AB.petstore' };
    // A secret at that name, but tagged for someone else (planted, or a naming bug).
    await service.deps.secrets.create(address, { apiKey: 'x' });
    await service.secretsManager.send(
      new (await import('@aws-sdk/client-secrets-manager')).TagResourceCommand({
        SecretId: `${service.config.secretPrefix}/tenant-c/${address.credentialId}`,
        Tags: [{ Key: 'credentialId', Value: 'someone-else' }],
      }),
    );
    const failed = await purgeDeletedSecrets(service.deps, [address]);
    expect(failed).toEqual([]);
    expect((await service.deps.secrets.describe(address))?.deleted).toBe(false);
    expect(service.logLines.some((line) => line.includes('tags name another owner'))).toBe(true);
  });

  it('deleting a credential that was never counted deletes it and never takes the count below zero', async () => {
    const other = 'tenant-items-uncounted';
    const otherToken = await service.token(other);
    const counted = await service.api('POST', '/credentials', {
      token: otherToken,
      body: { componentId: 'petstore', name: 'counted', fields: { apiKey: 'k-1' } },
    });
    const stored = (await service.scanTable()).find((item) => item.id === counted.body.id) as Record<
      string,
      unknown
    >;
    // A copy written straight into the table (a migration): an item the count never saw.
    const uncountedId = '01J00000000000000000000009.petstore';
    await service.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: toAttributes({ ...stored, id: uncountedId, SK: `CRED#${uncountedId}`, GSI1SK: uncountedId }),
      }),
    );
    const countOf = async () =>
      (await service.api('GET', '/components', { token: otherToken })).body.items.find(
        (component: { id: string }) => component.id === 'petstore',
      ).credentialCount as number;
    expect(await countOf()).toBe(1);
    expect(
      (await service.api('DELETE', `/credentials/${counted.body.id}`, { token: otherToken })).status,
    ).toBe(204);
    expect(await countOf()).toBe(0);
    expect((await service.api('DELETE', `/credentials/${uncountedId}`, { token: otherToken })).status).toBe(
      204,
    );
    expect((await service.api('GET', `/credentials/${uncountedId}`, { token: otherToken })).status).toBe(404);
    expect(await countOf()).toBe(0);
  });

  it('a malformed credential or flow can still be deleted, its references released, never a 500', async () => {
    const other = 'tenant-items-repair';
    const otherToken = await service.token(other);
    const call = (method: string, path: string, body?: unknown) =>
      service.api(method, path, { token: otherToken, ...(body === undefined ? {} : { body }) });
    const kept = (await call('POST', '/credentials', { componentId: 'petstore', fields: { apiKey: 'k-1' } }))
      .body.id as string;
    const broken = (
      await call('POST', '/credentials', { componentId: 'petstore', fields: { apiKey: 'k-2' } })
    ).body.id as string;
    await call('PUT', '/flows/broken-flow', {
      name: 'Broken',
      status: 'active',
      steps: [{ stepId: 's', componentId: 'petstore', credentialId: kept }],
    });
    const items = await service.scanTable();
    const rewrite = async (
      match: (item: Record<string, unknown>) => boolean,
      change: Record<string, unknown>,
    ) => {
      const item = items.find(match) as Record<string, unknown>;
      await service.dynamoDb.send(
        new PutItemCommand({
          TableName: service.config.tableName,
          Item: toAttributes({ ...item, ...change }),
        }),
      );
    };
    await rewrite((item) => item.id === broken, { fields: 'not-a-map', flowCount: 'x' });
    await rewrite((item) => item.entity === 'flow' && item.flowId === 'broken-flow', { steps: 'garbage' });

    const flow = await call('GET', '/flows/broken-flow');
    expect(flow.status).toBe(409);
    expect(flow.body.code).toBe('corrupt_item');
    // The active flow's references still hold: its credential cannot be deleted yet.
    expect((await call('DELETE', `/credentials/${kept}`)).status).toBe(409);
    expect((await call('DELETE', '/flows/broken-flow')).status).toBe(204);
    expect((await call('GET', '/flows/broken-flow')).status).toBe(404);
    expect((await call('GET', `/credentials/${kept}`)).body).toMatchObject({
      activeFlowCount: 0,
      flowCount: 0,
    });

    expect((await call('GET', `/credentials/${broken}`)).status).toBe(409);
    expect((await call('DELETE', `/credentials/${broken}`)).status).toBe(204);
    expect((await call('GET', `/credentials/${broken}`)).status).toBe(404);
    expect((await call('DELETE', `/credentials/${kept}`)).status).toBe(204);
    const petstore = (await call('GET', '/components')).body.items.find(
      (component: { id: string }) => component.id === 'petstore',
    );
    expect(petstore.credentialCount).toBe(0);
  });
});
