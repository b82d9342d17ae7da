import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

/** A v2 event as API Gateway builds it: every claim already a string. */
const eventWithClaims = (claims: Record<string, string>): APIGatewayProxyEventV2WithJWTAuthorizer =>
  ({
    version: '2.0',
    routeKey: 'GET /credentials',
    rawPath: '/credentials',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {
      http: { method: 'GET', path: '/credentials', protocol: 'HTTP/1.1', sourceIp: '1.1.1.1', userAgent: '' },
      authorizer: { jwt: { claims, scopes: [] } },
    },
  }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

describe('tokens: only a JSON string claim names a tenant, and tokens behave as API Gateway checks them', () => {
  let service: LocalService;
  let globexCredential: string;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    const globex = await service.token('globex');
    globexCredential = (
      await service.api('POST', '/credentials', {
        token: globex,
        body: { componentId: 'petstore', fields: { apiKey: 'globex-key' } },
      })
    ).body.id;
  });
  afterAll(() => service.stop());

  it('refuses tenant claims that are not strings, through the gateway', async () => {
    const forged = [
      null,
      true,
      false,
      12345,
      ['globex'],
      { id: 'globex' },
      'null',
      'true',
      '12345',
      'undefined',
    ];
    let gotThrough = 0;
    for (const tenantClaim of forged) {
      const token = await service.issuer.sign('ignored', { claims: { tenant_id: tenantClaim } });
      const response = await service.api('GET', '/credentials', { token });
      if (response.status < 400) gotThrough++;
      expect({ tenantClaim, status: response.status }).toEqual({ tenantClaim, status: 401 });
      expect(response.text).not.toContain(globexCredential);
    }
    expect(gotThrough).toBe(0);
  });

  it('refuses the stringified forms API Gateway would hand the function', async () => {
    const handler = service.handlers['list-credentials'];
    for (const tenantClaim of [
      'null',
      'true',
      'false',
      '12345',
      '1e3',
      '[globex]',
      '{"id":"globex"}',
      'undefined',
    ]) {
      const result = (await handler(
        eventWithClaims({ tenant_id: tenantClaim, sub: 'x', scope: 'credentials:read' }),
        { awsRequestId: 'r' } as Context,
      )) as { statusCode: number; body: string };
      expect({ tenantClaim, status: result.statusCode }).toEqual({ tenantClaim, status: 401 });
      expect(result.body).not.toContain(globexCredential);
    }
  });

  it('requires exp and refuses iat or nbf in the future', async () => {
    const now = Math.floor(Date.now() / 1000);
    const tokens = [
      await service.issuer.sign('acme', { lifetime: null }),
      await service.issuer.sign('acme', { issuedAt: now + 3600 }),
      await service.issuer.sign('acme', { notBefore: now + 3600 }),
      await service.issuer.sign('acme', { lifetime: '-1m' }),
    ];
    for (const token of tokens) {
      const response = await service.api('GET', '/credentials', { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
  });
});

describe('scopes: least privilege inside a tenant', () => {
  let service: LocalService;
  let credentialId: string;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    credentialId = (
      await service.api('POST', '/credentials', {
        token: await service.token('acme'),
        body: { componentId: 'petstore', fields: { apiKey: 'acme-key' } },
      })
    ).body.id;
  });
  afterAll(() => service.stop());

  const routes = () =>
    [
      ['GET', '/credentials', 'credentials:read'],
      ['GET', `/credentials/${credentialId}`, 'credentials:read'],
      ['GET', '/components', 'credentials:read'],
      ['POST', '/credentials', 'credentials:write'],
      ['PATCH', `/credentials/${credentialId}`, 'credentials:write'],
      ['DELETE', `/credentials/${credentialId}`, 'credentials:write'],
      ['POST', `/credentials/${credentialId}/verify`, 'credentials:write'],
      ['POST', `/credentials/${credentialId}/replace`, 'credentials:write'],
      ['GET', `/credentials/${credentialId}/audit`, 'audit:read'],
      ['GET', '/flows', 'flows:read'],
      ['PUT', '/flows/f1', 'flows:write'],
      ['DELETE', '/flows/f1', 'flows:write'],
    ] as const;

  it('refuses every route without its scope: 403 insufficient_scope with WWW-Authenticate', async () => {
    const readOnly = await service.issuer.sign('acme', { scope: 'credentials:read flows:read' });
    let gotThrough = 0;
    for (const [method, path, scope] of routes()) {
      if (scope === 'credentials:read' || scope === 'flows:read') continue;
      const response = await service.api(method, path, {
        token: readOnly,
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
        headers: { 'if-match': '"1"' },
      });
      if (response.status !== 403) gotThrough++;
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'insufficient_scope', requiredScope: scope });
      expect(response.headers.get('www-authenticate')).toBe(
        `Bearer error="insufficient_scope", scope="${scope}"`,
      );
    }
    expect(gotThrough).toBe(0);
    expect((await service.api('GET', `/credentials/${credentialId}`, { token: readOnly })).status).toBe(200);
  });

  /** list-credentials' own status for a token with these claims, called as API Gateway would. */
  const call = async (claims: Record<string, string>) =>
    (
      (await service.handlers['list-credentials'](
        eventWithClaims({ tenant_id: 'acme', sub: 'x', ...claims }),
        {
          awsRequestId: 'r',
        } as Context,
      )) as { statusCode: number }
    ).statusCode;

  it('checks the scope in the function too, from scope or scp as API Gateway passes them', async () => {
    expect(await call({ scope: 'flows:read' })).toBe(403);
    expect(await call({})).toBe(403);
    expect(await call({ scope: 'openid credentials:read' })).toBe(200);
    expect(await call({ scp: '[flows:read credentials:read]' })).toBe(200);
  });

  it('reads scope as RFC 6749 §3.3 says: tokens separated by U+0020 only, no other separator', async () => {
    const smuggled = [
      'flows:read,credentials:read',
      'x\u2003credentials:read',
      'x\tcredentials:read',
      'x\ncredentials:read',
      '[credentials:read]',
      'flows:read;credentials:read',
      'credentials:read\u00a0',
    ];
    for (const scope of smuggled) expect(await call({ scope }), JSON.stringify(scope)).toBe(403);
    expect(await call({ scope: 'flows:read  credentials:read' })).toBe(200);
  });
});
