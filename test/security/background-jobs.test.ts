import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import type { OutcomeMetric } from '../../shared/ports/metrics.ts';
import { sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

describe('background jobs survive bad data', () => {
  let service: LocalService;
  const counted: OutcomeMetric[] = [];
  const deps = () => ({
    ...service.deps,
    metrics: { count: (metric: OutcomeMetric) => counted.push(metric) },
  });
  const put = (item: Record<string, unknown>) =>
    service.dynamoDb.send(
      new PutItemCommand({ TableName: service.config.tableName, Item: toAttributes(item) }),
    );

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
  });
  afterAll(() => service.stop());

  it('a corrupt OAuth app item and malformed positions are logged, counted and skipped, run after run', async () => {
    const tenant = 'tenant-bad-items';
    const token = await service.token(tenant);
    await service.api('PUT', '/oauth-apps/demo-oauth2', {
      token,
      body: { clientId: 'demo-client', clientSecret: 'demo-client-secret' },
    });
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'k-1' } },
    });
    // The app item loses its shape; both passes' positions become garbage.
    await put({ PK: `T#${tenant}`, SK: 'OAUTHAPP#demo-oauth2', entity: 'oauthApp', clientId: 42 });
    await put({ PK: 'T#*', SK: 'SWEEP#orphans', entity: 'sweep', position: 'garbage!!' });
    await put({ PK: `T#${tenant}`, SK: 'SWEEP#items', entity: 'sweep', position: 'garbage!!' });
    service.logLines.length = 0;

    const later = { now: () => new Date(Date.now() + 20 * 60_000) };
    for (let run = 0; run < 2; run++) {
      const result = await sweepSecrets({ ...deps(), clock: later }, Date.now() + 10_000);
      expect(result.complete).toBe(true);
    }
    expect(counted.filter((metric) => metric === 'CorruptItemsSkipped').length).toBeGreaterThanOrEqual(2);
    const warnings = service.logLines.filter((line) => line.includes('sweeper skipped'));
    expect(warnings.some((line) => line.includes('OAuth app') && line.includes('demo-oauth2'))).toBe(true);
    expect(warnings.some((line) => line.includes('position'))).toBe(true);
    // The app's secret is kept (it is not an orphan), and the credential is untouched.
    const appSecret = await service.deps.secrets.describe({
      tenantId: tenant,
      credentialId: 'oauth-app.demo-oauth2',
    });
    expect(appSecret?.deleted ?? false).toBe(false);
    expect((await service.api('GET', `/credentials/${created.body.id}`, { token })).body.status).toBe(
      'verified',
    );
    // The listing of apps skips the corrupt one rather than failing.
    const apps = await service.api('GET', '/oauth-apps', { token });
    expect(apps.status).toBe(200);
  });

  it('covers a tenant whose last secret vanished: its credential is marked invalid', async () => {
    const tenant = 'tenant-last-secret';
    const token = await service.token(tenant);
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'k-1' } },
    });
    await sweepSecrets(deps(), Date.now() + 10_000);
    await service.deps.secrets.deleteNow({ tenantId: tenant, credentialId: created.body.id });
    const result = await sweepSecrets(deps(), Date.now() + 10_000);
    expect(result.invalidated).toContain(created.body.id);
    const credential = (await service.api('GET', `/credentials/${created.body.id}`, { token })).body;
    expect(credential.status).toBe('invalid');
    expect(credential.statusReason).toMatch(/^secret_missing/);
  });
});
