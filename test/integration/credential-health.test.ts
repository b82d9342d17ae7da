import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolveHandler } from '../../functions/resolve-credential/resolve-handler.ts';
import { credentialKey } from '../../shared/adapters/dynamodb/table-layout.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import type { AuditEntry } from '../../shared/domain/audit.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';
import { verifyDueCredentials } from '../../shared/use-cases/verify-due-credentials.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';

const DAY = 86_400_000;
const tenantOf = (name: string) => `tenant-health-${name}`;

describe('credential health over time: the scheduled re-verification', () => {
  let service: LocalService;
  let oauth: OAuth2TestServer;
  /** An API whose answer a test decides: 200, 401 or 503. */
  let apiStatus = 200;
  let api: ReturnType<typeof createServer>;
  let apiUrl: string;

  /** The service as a run `offsetMs` from now sees it: its clock moved, the default 24 h interval. */
  const at = (offsetMs: number): UseCaseDependencies => ({
    ...service.deps,
    clock: { now: () => new Date(Date.now() + offsetMs) },
  });
  const run = (tenant: string, offsetMs: number, limits: { perComponent?: number } = {}) =>
    verifyDueCredentials(at(offsetMs), tenant, { deadline: Date.now() + 30_000, ...limits });
  const create = async (tenant: string, body: unknown) => {
    const token = await service.token(tenant);
    const created = await service.api('POST', '/credentials', { token, body });
    expect(created.status).toBe(201);
    return created.body.id as string;
  };
  const get = async (tenant: string, id: string) =>
    (await service.api('GET', `/credentials/${id}`, { token: await service.token(tenant) })).body;
  const auditOf = async (tenant: string, id: string) =>
    (
      (await service.api('GET', `/credentials/${id}/audit`, { token: await service.token(tenant) })).body
        .items as AuditEntry[]
    ).map((entry) => entry.action);

  beforeAll(async () => {
    service = await startLocalService();
    oauth = await startOAuth2TestServer();
    api = createServer((_request, response) => response.writeHead(apiStatus).end('{}'));
    await new Promise<void>((listening) => api.listen(0, '127.0.0.1', listening));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    service.allowVerificationTarget(apiUrl);
    service.allowVerificationTarget(oauth.url);
  });
  afterAll(async () => {
    api.close();
    await oauth.stop();
    await service.stop();
  });

  it('finds what is due with one Query of the due index, and checks nothing before its time', async () => {
    const tenant = tenantOf('due');
    const ids = await Promise.all(
      [1, 2, 3].map((n) =>
        create(tenant, { componentId: 'petstore', fields: { apiKey: `health-key-${n}` } }),
      ),
    );
    service.calls.reset();
    expect(await run(tenant, DAY / 2)).toMatchObject({ checked: 0, oldestDueAgeMs: null, joined: 0 });
    // The due index, then the tenant's one look for credentials saved before the schedule existed
    // (its position read, a page, the position saved as done).
    expect(service.calls.calls).toEqual(['Query', 'GetItem', 'Query', 'PutItem']);
    service.calls.reset();
    await run(tenant, DAY / 2);
    expect(service.calls.calls).toEqual(['Query', 'GetItem']);

    service.calls.reset();
    const report = await run(tenant, 1.2 * DAY);
    expect(report).toMatchObject({ checked: 3, verified: 3, errors: 0, deferred: 0 });
    // One Query, then each credential's secret and its one conditional write; no audit records:
    // a routine check that finds what was known is not an event.
    expect(service.calls.count('Query')).toBe(1);
    expect(service.calls.count('GetSecretValue')).toBe(3);
    for (const id of ids) {
      expect(await auditOf(tenant, id)).toEqual(['created']);
      const checked = await get(tenant, id);
      expect(Date.parse(checked.lastVerifiedAt)).toBeGreaterThan(Date.now() + DAY);
    }
    // Checked, the next check is about an interval later again.
    expect(await run(tenant, 1.3 * DAY)).toMatchObject({ checked: 0 });
  });

  it('gives credentials saved before the schedule existed a due time, once, spread around now', async () => {
    const tenant = tenantOf('join');
    const ids = await Promise.all(
      [1, 2, 3].map((n) => create(tenant, { componentId: 'petstore', fields: { apiKey: `old-key-${n}` } })),
    );
    // As an earlier version wrote them: no due time, so the due index does not hold them.
    for (const id of ids.slice(0, 2))
      await service.dynamoDb.send(
        new UpdateItemCommand({
          TableName: service.config.tableName,
          Key: credentialKey(tenant, id),
          UpdateExpression: 'REMOVE checkDueAt, GSI3PK, GSI3SK',
        }),
      );
    const before = await Promise.all(ids.map((id) => get(tenant, id)));
    // Verified at creation, so within one interval of their last check (±10 %): due a day on.
    expect(await run(tenant, 0.5 * DAY)).toMatchObject({ checked: 0, joined: 2 });
    expect(await run(tenant, 0.5 * DAY)).toMatchObject({ joined: 0 });
    // Not a change anyone made: the editor and time stay; nothing is audited.
    const after = await Promise.all(ids.map((id) => get(tenant, id)));
    expect(after.map((item) => [item.updatedBy, item.updatedAt])).toEqual(
      before.map((item) => [item.updatedBy, item.updatedAt]),
    );
    for (const id of ids) expect(await auditOf(tenant, id)).toEqual(['created']);
    expect(await run(tenant, 1.2 * DAY)).toMatchObject({ checked: 3, verified: 3 });
  });

  it('keeps to a share per component and a deadline, and resumes where it stopped', async () => {
    const tenant = tenantOf('budget');
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        create(tenant, { componentId: 'petstore', fields: { apiKey: `budget-${n}` } }),
      ),
    );
    expect(await run(tenant, 1.2 * DAY, { perComponent: 2 })).toMatchObject({ checked: 2, deferred: 3 });
    expect(await run(tenant, 1.2 * DAY, { perComponent: 2 })).toMatchObject({ checked: 2, deferred: 1 });
    expect(await run(tenant, 1.2 * DAY, { perComponent: 2 })).toMatchObject({ checked: 1, deferred: 0 });
    const late = await verifyDueCredentials(at(1.2 * DAY), tenant, { deadline: Date.now() - 1 });
    expect(late).toMatchObject({ checked: 0 });
  });

  it('marks a revoked key invalid once, says so once, and says recovered when its key is replaced', async () => {
    const tenant = tenantOf('revoked');
    const id = await create(tenant, { componentId: 'petstore', fields: { apiKey: 'soon-revoked-key' } });
    service.revokedPetstoreKeys.add('soon-revoked-key');
    expect(await run(tenant, 1.2 * DAY)).toMatchObject({ checked: 1, invalid: 1 });
    expect((await get(tenant, id)).status).toBe('invalid');
    // Still invalid a day later: checked again, but not said again.
    expect(await run(tenant, 2.4 * DAY)).toMatchObject({ checked: 1, invalid: 1 });
    expect(await auditOf(tenant, id)).toEqual(['invalidated', 'created']);
    const replaced = await service.api('PATCH', `/credentials/${id}`, {
      token: await service.token(tenant),
      body: { fields: { apiKey: 'the-new-key' } },
      headers: { 'if-match': `"${(await get(tenant, id)).version}"` },
    });
    expect(replaced.body.status).toBe('verified');
    // (The runs' records carry their future clock, so they list first.)
    expect((await auditOf(tenant, id)).sort()).toEqual(['created', 'invalidated', 'recovered', 'updated']);
  });

  it('makes an API outage unreachable, never invalid, retries it with back-off, and recovers once', async () => {
    const tenant = tenantOf('outage');
    apiStatus = 200;
    const id = await create(tenant, {
      componentId: 'http-api-key',
      fields: { baseUrl: apiUrl, headerName: 'x-api-key', verifyPath: '/health', apiKey: 'outage-key' },
    });
    apiStatus = 503;
    expect(await run(tenant, 1.2 * DAY)).toMatchObject({ checked: 1, unreachable: 1 });
    const first = await get(tenant, id);
    expect(first.status).toBe('unreachable');
    // Retried after a 24th of the interval, then twice that: not on every run, not after a day.
    expect(await run(tenant, 1.2 * DAY + DAY / 48)).toMatchObject({ checked: 0 });
    expect(await run(tenant, 1.2 * DAY + DAY / 24 + 60_000)).toMatchObject({ checked: 1, unreachable: 1 });
    expect(await run(tenant, 1.2 * DAY + (3 * DAY) / 24 + 120_000)).toMatchObject({ checked: 1 });
    expect(await auditOf(tenant, id)).toEqual(['unreachable', 'created']);
    apiStatus = 200;
    expect(await run(tenant, 1.2 * DAY + (7 * DAY) / 24 + 180_000)).toMatchObject({
      checked: 1,
      verified: 1,
    });
    expect(await auditOf(tenant, id)).toEqual(['recovered', 'unreachable', 'created']);
    // Healthy again: routine checks say nothing.
    expect(await run(tenant, 2.6 * DAY)).toMatchObject({ checked: 1, verified: 1 });
    expect((await auditOf(tenant, id))[0]).toBe('recovered');
  });

  it('warns once of a declared expiry within its warning days, then checks on the usual schedule', async () => {
    const tenant = tenantOf('expiry');
    apiStatus = 200;
    const expiresAt = new Date(Date.now() + 10 * DAY).toISOString();
    const id = await create(tenant, {
      componentId: 'http-api-key',
      fields: {
        baseUrl: apiUrl,
        headerName: 'x-api-key',
        verifyPath: '/ok',
        apiKey: 'expiring-key',
        expiresAt,
      },
    });
    // Within the 14 warning days already: due at once, not a day later.
    expect(await run(tenant, 60_000)).toMatchObject({ checked: 1, verified: 1 });
    expect(await auditOf(tenant, id)).toEqual(['expiring', 'created']);
    expect(await run(tenant, 1.2 * DAY)).toMatchObject({ checked: 1 });
    expect((await auditOf(tenant, id)).filter((action) => action === 'expiring')).toHaveLength(1);
    // Still verified, but it needs a person: listed with the others that do, from the status index.
    const token = await service.token(tenant);
    const expiring = await service.api('GET', '/credentials?status=expiring', { token });
    expect(expiring.body.items.map((item: { id: string }) => item.id)).toEqual([id]);
    expect(expiring.body.items[0]).toMatchObject({ status: 'verified', expiresSoonAt: expiresAt });
    // A new key with a later expiry: it leaves the view, and is warned of again when its day comes.
    const later = new Date(Date.now() + 200 * DAY).toISOString();
    const patched = await service.api('PATCH', `/credentials/${id}`, {
      token,
      headers: { 'if-match': `"${(await get(tenant, id)).version}"` },
      body: { fields: { apiKey: 'renewed-key', expiresAt: later } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ status: 'verified', expiresSoonAt: null });
    expect((await service.api('GET', '/credentials?status=expiring', { token })).body.items).toEqual([]);
  });

  it('warns of a refresh token’s stated expiry once, though every refresh restates it', async () => {
    const tenant = tenantOf('grant-expiry');
    // A grant that ends on a fixed day, 12 days from the start: each refresh states what is left.
    const endsAt = Date.now() + 12 * DAY;
    let offset = 0;
    const ending = await startOAuth2TestServer({
      refreshTokenExpiresIn: () => Math.round((endsAt - (Date.now() + offset)) / 1000),
    });
    const runAt = (offsetMs: number) => {
      offset = offsetMs;
      return run(tenant, offsetMs);
    };
    service.allowVerificationTarget(ending.url);
    try {
      const id = await create(tenant, {
        componentId: 'oauth2',
        fields: {
          tokenUrl: ending.tokenUrl,
          clientId: 'client-1',
          clientSecret: 'client-secret-1',
          accessToken: 'idle-access',
          refreshToken: ending.issueRefreshToken(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
      expect(await runAt(1.2 * DAY)).toMatchObject({ checked: 1, verified: 1 });
      const warned = await get(tenant, id);
      expect(warned.fields.refreshTokenExpiresAt).toBeDefined();
      expect(warned.expiresSoonAt).toBe(warned.fields.refreshTokenExpiresAt);
      const token = await service.token(tenant);
      expect(
        (await service.api('GET', '/credentials?status=expiring', { token })).body.items.map(
          (item: { id: string }) => item.id,
        ),
      ).toEqual([id]);
      // The next refresh restates an expiry no later than the one warned of: no second warning.
      expect(await runAt(2.4 * DAY)).toMatchObject({ checked: 1, verified: 1 });
      const audit = await auditOf(tenant, id);
      expect(audit.filter((action) => action === 'refreshed')).toHaveLength(2);
      expect(audit.filter((action) => action === 'expiring')).toHaveLength(1);
      expect((await get(tenant, id)).expiresSoonAt).not.toBeNull();
    } finally {
      await ending.stop();
    }
  });

  it('takes a workflow’s report of a rejected credential as a reason to check, never as the verdict', async () => {
    const tenant = tenantOf('report');
    const token = await service.token(tenant);
    const id = await create(tenant, { componentId: 'petstore', fields: { apiKey: 'reported-key' } });
    await service.api('PUT', '/flows/sync', {
      token,
      body: {
        name: 'Sync',
        status: 'active',
        steps: [{ stepId: 'call', componentId: 'petstore', credentialId: id }],
      },
    });
    const handler = createResolveHandler(
      buildResolveDependencies(service.deps, { cacheTtlMs: 0, refreshMarginMs: 60_000 }),
    );
    const report = {
      tenantId: tenant,
      flowId: 'sync',
      stepId: 'call',
      executionId: 'e-1',
      reportRejected: true,
    };
    service.calls.reset();
    expect(await handler({ ...report, upstreamStatus: 401 }, {} as Context)).toEqual({
      credentialId: id,
      check: 'scheduled',
    });
    expect(service.calls.count('GetSecretValue')).toBe(0);
    // Rate-limited per credential: a second report within the window schedules nothing more.
    expect(await handler(report, {} as Context)).toMatchObject({ check: 'already_scheduled' });
    expect((await get(tenant, id)).status).toBe('verified');
    // The next run checks it now, not a day later; the key still works, so it stays verified.
    expect(await run(tenant, 60_000)).toMatchObject({ checked: 1, verified: 1 });
    expect((await get(tenant, id)).status).toBe('verified');
    expect(await auditOf(tenant, id)).toEqual(['reported', 'reported', 'created']);
    await expect(handler({ ...report, stepId: 'other' }, {} as Context)).rejects.toMatchObject({
      name: 'step_not_found',
    });
  });

  it('keeps an idle OAuth2 connection alive by a refresh through the lease, one token call per check', async () => {
    const tenant = tenantOf('oauth');
    const id = await create(tenant, {
      componentId: 'oauth2',
      fields: {
        tokenUrl: oauth.tokenUrl,
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        accessToken: 'idle-access',
        refreshToken: oauth.issueRefreshToken(),
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    const before = oauth.tokenCalls.length;
    expect(await run(tenant, 1.2 * DAY)).toMatchObject({ checked: 1, verified: 1 });
    expect(oauth.tokenCalls.length).toBe(before + 1);
    expect(await run(tenant, 1.3 * DAY)).toMatchObject({ checked: 0 });
    expect(oauth.tokenCalls.length).toBe(before + 1);
    expect(await auditOf(tenant, id)).toContain('refreshed');
    // Every refresh token presented once: none reused.
    const presented = oauth.tokenCalls.map((call) => call.refreshToken);
    expect(new Set(presented).size).toBe(presented.length);
  });
});
