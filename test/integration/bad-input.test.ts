import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

describe('bad input answers 4xx problem+json and makes no AWS call', () => {
  let service: LocalService;
  let token: string;

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token('tenant-bad-input');
  });
  afterAll(() => service.stop());

  const cases: [
    string,
    string,
    string,
    { body?: unknown; rawBody?: string; headers?: Record<string, string> },
    number,
    string,
  ][] = [
    ['malformed JSON', 'POST', '/credentials', { rawBody: '{"componentId":' }, 400, 'malformed_request'],
    ['a JSON array', 'POST', '/credentials', { body: [] }, 400, 'validation_failed'],
    [
      'an unknown top-level field',
      'POST',
      '/credentials',
      { body: { componentId: 'petstore', fields: { apiKey: 'k' }, admin: true } },
      400,
      'validation_failed',
    ],
    [
      'a wrong type',
      'POST',
      '/credentials',
      { body: { componentId: 'petstore', fields: { apiKey: 42 } } },
      400,
      'validation_failed',
    ],
    [
      'a missing required field',
      'POST',
      '/credentials',
      { body: { componentId: 'petstore', fields: {} } },
      400,
      'validation_failed',
    ],
    [
      'an unknown component',
      'POST',
      '/credentials',
      { body: { componentId: 'salesforce', fields: {} } },
      400,
      'validation_failed',
    ],
    [
      "another component's fields",
      'POST',
      '/credentials',
      { body: { componentId: 'petstore', fields: { host: 'h', port: 1 } } },
      400,
      'validation_failed',
    ],
    [
      'a value over its length limit',
      'POST',
      '/credentials',
      { body: { componentId: 'petstore', fields: { apiKey: 'a'.repeat(300) } } },
      400,
      'validation_failed',
    ],
    [
      'secrets over 64 KB',
      'POST',
      '/credentials',
      {
        body: {
          componentId: 'oauth2',
          fields: {
            tokenUrl: 'https://x.example/t',
            clientId: 'c',
            accessToken: 'a'.repeat(32_000),
            refreshToken: 'r'.repeat(32_000),
            clientSecret: 's'.repeat(4000),
          },
        },
      },
      413,
      'payload_too_large',
    ],
    [
      'a body over the limit',
      'POST',
      '/credentials',
      { rawBody: JSON.stringify({ componentId: 'petstore', fields: { apiKey: 'a'.repeat(300_000) } }) },
      413,
      'payload_too_large',
    ],
    [
      'a non-JSON content type',
      'POST',
      '/credentials',
      { rawBody: 'componentId=petstore', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported_media_type',
    ],
    ['a bad cursor', 'GET', '/credentials?cursor=not-a-cursor', {}, 400, 'validation_failed'],
    [
      'a forged cursor for another tenant',
      'GET',
      `/credentials?cursor=${Buffer.from(JSON.stringify({ PK: 'T#other', SK: 'CRED#x' })).toString('base64url')}`,
      {},
      400,
      'validation_failed',
    ],
    ['a limit out of range', 'GET', '/credentials?limit=1000', {}, 400, 'validation_failed'],
    ['an unknown query parameter', 'GET', '/credentials?sort=asc', {}, 400, 'validation_failed'],
    ['a malformed id', 'GET', '/credentials/..%2F..%2Fetc', {}, 404, 'not_found'],
    [
      'a malformed If-Match',
      'PATCH',
      '/credentials/01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore',
      { body: { name: 'x' }, headers: { 'if-match': 'yesterday' } },
      400,
      'malformed_request',
    ],
    [
      'an empty PATCH',
      'PATCH',
      '/credentials/01ARZ3NDEKTSV4RRFFQ69G5FAV.petstore',
      { body: {}, headers: { 'if-match': '"1"' } },
      400,
      'validation_failed',
    ],
    ['an unknown route', 'GET', '/secrets', {}, 404, 'route_not_found'],
    ...['/%FF', '/pet/%C0%AE%C0%AE/admin', '/%E2%82'].map((path): (typeof cases)[number] => [
      `a proxy path whose escapes are not UTF-8 (${path})`,
      'POST',
      '/proxy',
      { body: { flowId: 'f', stepId: 's', executionId: 'e', request: { method: 'GET', path } } },
      400,
      'validation_failed',
    ]),
    [
      'a proxy body nested 10,000 levels deep',
      'POST',
      '/proxy',
      {
        rawBody: `{"flowId":"f","stepId":"s","executionId":"e","request":{"method":"POST","path":"/x","body":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
      },
      400,
      'validation_failed',
    ],
    [
      'a credential body nested 65 levels deep',
      'POST',
      '/credentials',
      {
        body: {
          componentId: 'petstore',
          fields: { apiKey: 'k' },
          name: JSON.parse(`${'['.repeat(65)}${']'.repeat(65)}`),
        },
      },
      400,
      'validation_failed',
    ],
  ];

  it.each(cases)('%s', async (_name, method, path, options, status, code) => {
    service.calls.reset();
    const response = await service.api(method, path, { token, ...options });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      status,
      code,
      type: expect.stringContaining(code),
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(service.calls.calls).toEqual([]);
  });

  it('refuses a name-search cursor reused for another name with 400, not a DynamoDB error', async () => {
    for (const name of ['Alpha one', 'Alpha two'])
      expect(
        (
          await service.api('POST', '/credentials', {
            token,
            body: { componentId: 'petstore', name, fields: { apiKey: 'k-cursor' } },
          })
        ).status,
      ).toBe(201);
    const first = await service.api('GET', '/credentials?name=alpha&limit=1', { token });
    expect(first.status).toBe(200);
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const reused = await service.api('GET', `/credentials?name=zulu&cursor=${cursor}`, { token });
    expect(reused).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    const followed = await service.api('GET', `/credentials?name=alpha&cursor=${cursor}`, { token });
    expect(followed.status).toBe(200);
    expect(followed.body.items).toHaveLength(1);
  });

  it('answers 401 without a valid token and 401 for a token without a tenant claim', async () => {
    const none = await service.api('GET', '/credentials');
    const forged = await service.api('GET', '/credentials', { token: `${token.slice(0, -4)}AAAA` });
    expect(none.status).toBe(401);
    expect(forged.status).toBe(401);
  });

  it('never answers 5xx to arbitrary create bodies (property test)', async () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.boolean(),
      fc.array(fc.string()),
      fc.object(),
    );
    const body = fc.oneof(
      fc.record(
        {
          componentId: fc.constantFrom('petstore', 'postgresql', 'oauth2', 'http-basic', 'x'),
          name: fc.option(fc.string()),
          fields: fc.dictionary(
            fc.constantFrom('apiKey', 'host', 'port', 'password', 'tokenUrl', 'zzz'),
            field,
          ),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (candidate) => {
        const response = await service.api('POST', '/credentials', { token, body: candidate });
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400)
          expect(response.headers.get('content-type')).toBe('application/problem+json');
      }),
      { numRuns: 60 },
    );
  });
});
