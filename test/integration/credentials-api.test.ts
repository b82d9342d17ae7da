import { PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countShardOf, countSk } from '../../shared/adapters/dynamodb/table-layout.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

const SECRET = 'sk-live-4f9a2b7c1d3e5f60';
const petstore = (apiKey = SECRET, name = 'Production') => ({
  componentId: 'petstore',
  name,
  fields: { apiKey },
});

describe('credentials API (DynamoDB Local + local Secrets Manager, through the gateway)', () => {
  let service: LocalService;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    alice = await service.token('tenant-alice');
    bob = await service.token('tenant-bob');
  });
  afterAll(() => service.stop());
  beforeEach(() => service.calls.reset());

  it('creates a credential with 2 AWS calls and answers 201 with Location, ETag and metadata only', async () => {
    const created = await service.api('POST', '/credentials', { token: alice, body: petstore() });

    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/credentials/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      componentId: 'petstore',
      name: 'Production',
      fields: {},
      secretFieldsSet: ['apiKey'],
      version: 1,
      activeFlowCount: 0,
      createdBy: 'user@tenant-alice',
    });
    expect(created.text).not.toContain(SECRET);
    expect(service.calls.calls).toEqual(['CreateSecret', 'TransactWriteItems']);
  });

  it('gets a credential with exactly 1 GetItem and never returns the secret', async () => {
    const { body } = await service.api('POST', '/credentials', { token: alice, body: petstore() });
    service.calls.reset();

    const got = await service.api('GET', `/credentials/${body.id}`, { token: alice });

    expect(got.status).toBe(200);
    expect(got.body.id).toBe(body.id);
    expect(got.headers.get('etag')).toBe('"1"');
    expect(got.text).not.toContain(SECRET);
    expect(service.calls.calls).toEqual(['GetItem']);
  });

  it('makes the name optional: unnamed, a credential is called after its component', async () => {
    const created = await service.api('POST', '/credentials', {
      token: alice,
      body: { componentId: 'petstore', fields: { apiKey: SECRET } },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe('Petstore API account');
  });

  it("answers another tenant's credential exactly like one that does not exist", async () => {
    const { body } = await service.api('POST', '/credentials', { token: alice, body: petstore() });

    const foreign = await service.api('GET', `/credentials/${body.id}`, { token: bob });
    const missing = await service.api('GET', `/credentials/01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore`, {
      token: bob,
    });
    const foreignDelete = await service.api('DELETE', `/credentials/${body.id}`, { token: bob });
    const foreignPatch = await service.api('PATCH', `/credentials/${body.id}`, {
      token: bob,
      body: { name: 'x' },
      headers: { 'if-match': '"1"' },
    });

    expect(foreign.status).toBe(404);
    expect(foreign.text).toBe(missing.text);
    expect(foreignDelete.status).toBe(404);
    expect(foreignPatch.status).toBe(404);
    expect((await service.api('GET', `/credentials/${body.id}`, { token: alice })).status).toBe(200);
  });

  it('lists newest first with an opaque cursor, one Query per page, filtered by component', async () => {
    const tenant = await service.token('tenant-lister');
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push(
        (
          await service.api('POST', '/credentials', {
            token: tenant,
            body: petstore(`key${index}`, `n${index}`),
          })
        ).body.id,
      );
    }
    await service.api('POST', '/credentials', {
      token: tenant,
      body: {
        componentId: 'http-basic',
        fields: { baseUrl: 'https://api.example.com', verifyPath: '/me', username: 'u', password: 'p' },
      },
    });
    service.calls.reset();

    const first = await service.api('GET', '/credentials?componentId=petstore&limit=2', { token: tenant });
    const second = await service.api(
      'GET',
      `/credentials?componentId=petstore&limit=2&cursor=${first.body.nextCursor}`,
      { token: tenant },
    );
    const third = await service.api(
      'GET',
      `/credentials?componentId=petstore&limit=2&cursor=${second.body.nextCursor}`,
      { token: tenant },
    );
    const all = await service.api('GET', '/credentials', { token: tenant });

    const listed = [...first.body.items, ...second.body.items, ...third.body.items].map(
      (item: { id: string }) => item.id,
    );
    expect(listed).toEqual([...ids].reverse());
    expect(third.body.nextCursor).toBeNull();
    expect(all.body.items).toHaveLength(6);
    expect(all.body.items[0].componentId).toBe('http-basic');
    expect(service.calls.calls).toEqual(['Query', 'Query', 'Query', 'Query']);
    expect(service.calls.count('Scan') + service.calls.count('ListSecrets')).toBe(0);
  });

  it('counts credentials per component for the caller tenant only', async () => {
    const tenant = await service.token('tenant-counter');
    await service.api('POST', '/credentials', { token: tenant, body: petstore() });
    const second = await service.api('POST', '/credentials', { token: tenant, body: petstore() });
    await service.api('DELETE', `/credentials/${second.body.id}`, { token: tenant });
    await service.api('POST', '/credentials', { token: tenant, body: petstore() });

    const components = await service.api('GET', '/components', { token: tenant });
    const other = await service.api('GET', '/components', { token: await service.token('tenant-empty') });
    const one = await service.api('GET', '/components/petstore', { token: tenant });

    const count = (body: { items: { id: string; credentialCount: number }[] }, id: string) =>
      body.items.find((item) => item.id === id)?.credentialCount;
    expect(count(components.body, 'petstore')).toBe(2);
    expect(count(components.body, 'postgresql')).toBe(0);
    expect(count(other.body, 'petstore')).toBe(0);
    expect(one.body.credentialCount).toBe(2);
    expect(one.body.fields.find((field: { name: string }) => field.name === 'apiKey')).toMatchObject({
      secret: true,
      required: true,
    });
    expect((await service.api('GET', '/components/nope', { token: tenant })).status).toBe(404);
  });

  it('spreads a component count over shards, summed in one Query, and keeps counts of earlier versions exact', async () => {
    const tenant = await service.token('tenant-shards');
    const ids: string[] = [];
    for (let index = 0; index < 24; index++)
      ids.push((await service.api('POST', '/credentials', { token: tenant, body: petstore() })).body.id);
    const items = await service.dynamoDb.send(
      new QueryCommand({
        TableName: service.config.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :count)',
        ExpressionAttributeValues: { ':pk': { S: 'T#tenant-shards' }, ':count': { S: 'COUNT#' } },
      }),
    );
    // 24 creates land on several items, not one: no single item every create must touch.
    expect(items.Items?.length ?? 0).toBeGreaterThan(4);
    expect(new Set(ids.map((id) => countSk('petstore', countShardOf(id))))).toEqual(
      new Set(items.Items?.map((item) => item.SK?.S)),
    );
    // A credential an earlier version counted in the unsharded item: its shard holds none of it.
    const legacy = ids[0] as string;
    const shardOfLegacy = {
      PK: { S: 'T#tenant-shards' },
      SK: { S: countSk('petstore', countShardOf(legacy)) },
    };
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: shardOfLegacy,
        UpdateExpression: 'ADD credentialCount :minusOne',
        ExpressionAttributeValues: { ':minusOne': { N: '-1' } },
      }),
    );
    await service.dynamoDb.send(
      new PutItemCommand({
        TableName: service.config.tableName,
        Item: {
          PK: { S: 'T#tenant-shards' },
          SK: { S: countSk('petstore') },
          componentId: { S: 'petstore' },
          credentialCount: { N: '1' },
        },
      }),
    );
    const countOf = async () =>
      (await service.api('GET', '/components/petstore', { token: tenant })).body.credentialCount;
    expect(await countOf()).toBe(24);
    // Deleting every one of them leaves 0, with no item below zero, whichever item counted it.
    for (const id of ids)
      expect((await service.api('DELETE', `/credentials/${id}`, { token: tenant })).status).toBe(204);
    expect(await countOf()).toBe(0);
    const after = await service.dynamoDb.send(
      new QueryCommand({
        TableName: service.config.tableName,
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :count)',
        ExpressionAttributeValues: { ':pk': { S: 'T#tenant-shards' }, ':count': { S: 'COUNT#' } },
      }),
    );
    expect(after.Items?.map((item) => Number(item.credentialCount?.N))).toEqual(after.Items?.map(() => 0));
  });

  describe('PATCH', () => {
    it('requires If-Match (428), refuses a stale version (412) and merges fields', async () => {
      const created = await service.api('POST', '/credentials', {
        token: alice,
        body: {
          componentId: 'postgresql',
          name: 'db',
          fields: { host: 'db.example.com', port: 5432, database: 'app', user: 'svc', password: 'pw-1' },
        },
      });
      const path = `/credentials/${created.body.id}`;

      const noPrecondition = await service.api('PATCH', path, { token: alice, body: { name: 'renamed' } });
      const stale = await service.api('PATCH', path, {
        token: alice,
        body: { name: 'renamed' },
        headers: { 'if-match': '"7"' },
      });
      service.calls.reset();
      const patched = await service.api('PATCH', path, {
        token: alice,
        body: { fields: { user: 'svc-2' } },
        headers: { 'if-match': '"1"' },
      });

      expect(noPrecondition.status).toBe(428);
      expect(stale.status).toBe(412);
      expect(stale.body.currentVersion).toBe(1);
      expect(patched.status).toBe(200);
      expect(patched.headers.get('etag')).toBe('"2"');
      expect(patched.body.fields).toEqual({
        host: 'db.example.com',
        port: 5432,
        database: 'app',
        user: 'svc-2',
      });
      expect(patched.body.secretFieldsSet).toEqual(['password']);
      // The password did not change: no new secret version.
      expect(service.calls.count('PutSecretValue')).toBe(0);
    });

    it('writes a new Secrets Manager version when a secret field changes', async () => {
      const created = await service.api('POST', '/credentials', {
        token: alice,
        body: petstore('first-key'),
      });
      const address = { tenantId: 'tenant-alice', credentialId: created.body.id };

      const patched = await service.api('PATCH', `/credentials/${created.body.id}`, {
        token: alice,
        body: { fields: { apiKey: 'second-key' }, name: 'rotated' },
        headers: { 'if-match': '"1"' },
      });

      expect(patched.status).toBe(200);
      expect(patched.body.name).toBe('rotated');
      expect(patched.text).not.toContain('second-key');
      expect((await service.deps.secrets.read(address)).values).toMatchObject({ apiKey: 'second-key' });
      const second = await service.api('PATCH', `/credentials/${created.body.id}`, {
        token: alice,
        body: { fields: { apiKey: 'third-key' } },
        headers: { 'if-match': '"1"' },
      });
      expect(second.status).toBe(412);
      expect((await service.deps.secrets.read(address)).values).toMatchObject({ apiKey: 'second-key' });
    });

    it('rejects clearing a required field and unknown fields', async () => {
      const created = await service.api('POST', '/credentials', { token: alice, body: petstore() });
      const cleared = await service.api('PATCH', `/credentials/${created.body.id}`, {
        token: alice,
        body: { fields: { apiKey: null } },
        headers: { 'if-match': '"1"' },
      });
      const foreignField = await service.api('PATCH', `/credentials/${created.body.id}`, {
        token: alice,
        body: { fields: { password: 'x' } },
        headers: { 'if-match': '"1"' },
      });
      expect(cleared.status).toBe(400);
      expect(foreignField.status).toBe(400);
      expect(foreignField.body.errors).toEqual([
        { path: 'fields.password', message: "is not a field of component 'petstore'" },
      ]);
    });
  });

  describe('DELETE', () => {
    it('answers 204 with at most 2 AWS calls and schedules the secret for deletion with a recovery window', async () => {
      const created = await service.api('POST', '/credentials', { token: alice, body: petstore() });
      service.calls.reset();

      const deleted = await service.api('DELETE', `/credentials/${created.body.id}`, { token: alice });

      expect(deleted.status).toBe(204);
      expect(service.calls.calls).toEqual(['TransactWriteItems', 'DeleteSecret']);
      expect((await service.api('GET', `/credentials/${created.body.id}`, { token: alice })).status).toBe(
        404,
      );
      const secret = service.secretsState
        .snapshot()
        .secrets.find((candidate) => candidate.name.endsWith(created.body.id));
      expect(secret?.deletedDate).toBeTypeOf('number');
      expect((await service.api('DELETE', `/credentials/${created.body.id}`, { token: alice })).status).toBe(
        404,
      );
    });

    it('honours If-Match on delete', async () => {
      const created = await service.api('POST', '/credentials', { token: alice, body: petstore() });
      const stale = await service.api('DELETE', `/credentials/${created.body.id}`, {
        token: alice,
        headers: { 'if-match': '"2"' },
      });
      expect(stale.status).toBe(412);
      expect(
        (
          await service.api('DELETE', `/credentials/${created.body.id}`, {
            token: alice,
            headers: { 'if-match': '"1"' },
          })
        ).status,
      ).toBe(204);
    });
  });

  describe('Idempotency-Key', () => {
    it('creates one credential and one live secret for retries with the same key', async () => {
      const tenant = await service.token('tenant-idem');
      const headers = { 'idempotency-key': 'retry-key-0001' };
      const first = await service.api('POST', '/credentials', { token: tenant, body: petstore(), headers });
      const retries = await Promise.all(
        [1, 2, 3].map(() =>
          service.api('POST', '/credentials', { token: tenant, body: petstore(), headers }),
        ),
      );

      expect(first.status).toBe(201);
      for (const retry of retries) {
        expect(retry.status).toBe(200);
        expect(retry.body.id).toBe(first.body.id);
        expect(retry.headers.get('idempotent-replayed')).toBe('true');
      }
      const list = await service.api('GET', '/credentials', { token: tenant });
      expect(list.body.items).toHaveLength(1);
      const liveSecrets = service.secretsState
        .snapshot()
        .secrets.filter((secret) => secret.name.includes('/tenant-idem/'));
      expect(liveSecrets.map((secret) => secret.name)).toEqual([`credentials/tenant-idem/${first.body.id}`]);
    });

    it('refuses the same key for a different request with 422', async () => {
      const headers = { 'idempotency-key': 'retry-key-0002' };
      await service.api('POST', '/credentials', { token: alice, body: petstore(SECRET, 'a'), headers });
      const reused = await service.api('POST', '/credentials', {
        token: alice,
        body: petstore(SECRET, 'b'),
        headers,
      });
      expect(reused.status).toBe(422);
      expect(reused.body.code).toBe('idempotency_key_reused');
    });
  });

  describe('secret values stay in Secrets Manager', () => {
    it('never writes a secret value to DynamoDB, a response or a log line', async () => {
      const marker = 'pw-MARKER-7f3e9c';
      const tenant = await service.token('tenant-leak');
      const responses = [
        await service.api('POST', '/credentials', {
          token: tenant,
          body: {
            componentId: 'postgresql',
            fields: { host: 'db.example.com', port: 5432, database: 'app', user: 'svc', password: marker },
          },
        }),
        await service.api('POST', '/credentials', {
          token: tenant,
          body: { componentId: 'postgresql', fields: { password: marker } },
        }),
        await service.api('POST', '/credentials', {
          token: tenant,
          body: { componentId: 'petstore', fields: { apiKey: `${marker} bad`, extra: marker } },
        }),
      ];
      responses.push(await service.api('GET', '/credentials', { token: tenant }));
      responses.push(
        await service.api('PATCH', `/credentials/${responses[0]?.body.id}`, {
          token: tenant,
          body: { fields: { password: `${marker}-2` } },
          headers: { 'if-match': '"1"' },
        }),
      );

      expect(responses.map((response) => response.status)).toEqual([201, 400, 400, 200, 200]);
      for (const response of responses) expect(response.text).not.toContain(marker);
      expect(JSON.stringify(await service.scanTable())).not.toContain(marker);
      expect(service.logLines.join('\n')).not.toContain(marker);
      const stored = service.secretsState
        .snapshot()
        .secrets.find((secret) => secret.name.endsWith(responses[0]?.body.id));
      expect(stored?.tags).toContainEqual({ Key: 'tenant', Value: 'tenant-leak' });
    });
  });
});
