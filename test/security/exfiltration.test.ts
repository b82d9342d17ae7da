import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialKey, toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { componentVerifier } from '../../shared/adapters/verification/component-verifier.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { type Listener, startListener, switchableVerifier } from './support.ts';

const tenant = 'tenant-custody';

/**
 * A user of the tenant tries to make the service send a stored secret to a destination they
 * choose: by PATCHing only the fields that decide where secrets go, by re-verifying after the
 * item was edited behind the API, and by resolving such an item.
 */
describe('custody: a stored secret only goes to the destination it was saved with', () => {
  let service: LocalService;
  let listener: Listener;
  let token: string;
  const switchable = switchableVerifier();

  const secrets = {
    'http-api-key': ['key-api-secret-1'],
    'http-basic': ['basic-password-1'],
    oauth2: ['client-secret-1', 'access-token-1', 'refresh-token-1'],
    postgresql: ['pg-password-1'],
  } as const;

  const seeds: Record<keyof typeof secrets, Record<string, unknown>> = {
    'http-api-key': {
      baseUrl: 'https://api.example.com',
      headerName: 'X-Api-Key',
      verifyPath: '/me',
      apiKey: 'key-api-secret-1',
    },
    'http-basic': {
      baseUrl: 'https://api.example.com',
      verifyPath: '/me',
      username: 'ann',
      password: 'basic-password-1',
    },
    oauth2: {
      tokenUrl: 'https://login.example.com/token',
      userinfoUrl: 'https://login.example.com/me',
      clientId: 'client-1',
      clientSecret: 'client-secret-1',
      accessToken: 'access-token-1',
      refreshToken: 'refresh-token-1',
    },
    postgresql: {
      host: 'db.example.com',
      port: 5432,
      database: 'app',
      user: 'svc',
      password: 'pg-password-1',
      sslMode: 'require',
    },
  };

  const seed = async (componentId: keyof typeof secrets) => {
    switchable.acceptEverything(true);
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId, fields: seeds[componentId] },
    });
    switchable.acceptEverything(false);
    expect(created.status).toBe(201);
    return created.body.id as string;
  };

  const leaked = () =>
    Object.values(secrets)
      .flat()
      .filter((secret) => listener.received.some((bytes) => bytes.includes(secret)));

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: switchable.verifier } });
    switchable.useReal(
      componentVerifier(
        { allowedHosts: service.config.verificationAllowedHosts, timeoutMs: 1000 },
        { now: () => new Date() },
      ),
    );
    listener = await startListener();
    // The listener is allow-listed on purpose: only the custody rule may stop these attempts.
    service.allowVerificationTarget(listener.url);
    token = await service.token(tenant);
  });
  afterAll(async () => {
    await listener.stop();
    await service.stop();
  });

  const redirects: [keyof typeof secrets, Record<string, unknown>][] = [];
  const listenerFields = (): [keyof typeof secrets, Record<string, unknown>][] => [
    ['http-api-key', { baseUrl: listener.url }],
    ['http-api-key', { headerName: 'X-Leak' }],
    ['http-api-key', { verifyPath: '/steal' }],
    ['http-basic', { baseUrl: listener.url }],
    ['http-basic', { verifyPath: '/steal' }],
    ['oauth2', { tokenUrl: `${listener.url}/token` }],
    ['oauth2', { userinfoUrl: `${listener.url}/me` }],
    ['postgresql', { host: '127.0.0.1', port: listener.port }],
    ['postgresql', { port: listener.port }],
    ['postgresql', { sslMode: 'disable' }],
    // Sending some secrets again is not enough: all of them are needed.
    ['oauth2', { tokenUrl: `${listener.url}/token`, clientSecret: 'client-secret-1' }],
  ];

  it('refuses a PATCH that changes where secrets go without every secret field, with no call at all', async () => {
    redirects.push(...listenerFields());
    let gotThrough = 0;
    for (const [componentId, fields] of redirects) {
      const id = await seed(componentId);
      service.calls.reset();
      const response = await service.api('PATCH', `/credentials/${id}`, {
        token,
        body: { fields },
        headers: { 'if-match': '"1"' },
      });
      if (response.status < 400) gotThrough++;
      expect(response.status).toBe(422);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body).toMatchObject({ code: 'secrets_required', secretFields: expect.any(Array) });
      expect(service.calls.calls).toEqual([]);
    }
    expect(listener.connections()).toBe(0);
    expect(leaked()).toEqual([]);
    expect(gotThrough).toBe(0);
  });

  it('names exactly the secret fields to send again', async () => {
    const id = await seed('oauth2');
    const response = await service.api('PATCH', `/credentials/${id}`, {
      token,
      body: { fields: { tokenUrl: `${listener.url}/token`, clientSecret: 'x-new' } },
      headers: { 'if-match': '"1"' },
    });
    expect(response.body.secretFields).toEqual(['accessToken', 'refreshToken']);
    expect(response.body.errors).toEqual([
      { path: 'fields.accessToken', message: 'must be sent again' },
      { path: 'fields.refreshToken', message: 'must be sent again' },
    ]);
  });

  it('sends newly entered secrets, never the stored ones, when the caller re-enters them', async () => {
    const id = await seed('http-api-key');
    await service.api('PATCH', `/credentials/${id}`, {
      token,
      body: { fields: { baseUrl: listener.url, apiKey: 'freshly-entered-key' } },
      headers: { 'if-match': '"1"' },
    });
    expect(listener.received.join('')).toContain('freshly-entered-key');
    expect(leaked()).toEqual([]);
  });

  it('refuses to re-verify or resolve a credential whose destination was edited behind the API', async () => {
    const id = await seed('http-api-key');
    await service.api('PUT', '/flows/exfil', {
      token,
      body: {
        name: 'exfil',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'http-api-key', credentialId: id }],
      },
    });
    // A manual edit, a bad migration: the item now points at the listener.
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: credentialKey(tenant, id),
        UpdateExpression: 'SET #fields.#baseUrl = :url',
        ExpressionAttributeNames: { '#fields': 'fields', '#baseUrl': 'baseUrl' },
        ExpressionAttributeValues: toAttributes({ ':url': listener.url }),
      }),
    );
    const before = listener.connections();

    const reverified = await service.api('POST', `/credentials/${id}/verify`, { token });
    const resolved = resolveCredential(
      buildResolveDependencies(service.deps, {
        cacheTtlMs: 0,
        refreshMarginMs: 60_000,
        refresh: { leaseWaitMs: 5_000 },
      }),
      { tenantId: tenant, subject: 'workflow' },
      { flowId: 'exfil', stepId: 's', executionId: 'e', credentialId: id },
    );

    expect(reverified.status).toBe(422);
    expect(reverified.body.code).toBe('secrets_required');
    await expect(resolved).rejects.toMatchObject({ code: 'credential_invalid' });
    expect(listener.connections()).toBe(before);
    expect(leaked()).toEqual([]);
  });
});
