import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProxyDependencies } from '../../shared/composition/proxy-dependencies.ts';
import { type ProxiedResponse, proxyRequest } from '../../shared/use-cases/proxy-request.ts';
import { ECHO_FORMS, type EchoApi, startEchoApi } from '../support/echo-api.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-proxy-masking';
const actor = { tenantId: tenant, subject: 'arn:aws:states:eu-west-1:1:execution:sync:run-1' };
/** A key with the characters encoders treat specially: `/` (JSON, URLs), `+` and `=` (base64, forms). */
const key = 'echo/Key+Secret=42-abcdefXYZ';

const percentDecoded = (text: string, times: number) => {
  let decoded = text;
  for (let round = 0; round < times; round++)
    decoded = decoded.replace(/%([0-9a-f]{2})/gi, (_m, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
  return decoded;
};
const body = (answer: ProxiedResponse) => answer.body as Record<string, string>;

/** How a workflow would read each form back out of the answer it was given. */
const readBack: Readonly<Record<keyof typeof ECHO_FORMS, (answer: ProxiedResponse) => string>> = {
  raw: (answer) => body(answer).key ?? '',
  'json-escaped-slash': (answer) => body(answer).key ?? '',
  'json-unicode-escapes': (answer) => body(answer).key ?? '',
  'json-key': (answer) => Object.keys(body(answer)).join(' '),
  'base64-offset-0': (answer) => Buffer.from(body(answer).blob ?? '', 'base64').toString('latin1'),
  'base64-offset-1': (answer) => Buffer.from(body(answer).blob ?? '', 'base64').toString('latin1'),
  'base64-offset-2': (answer) => Buffer.from(body(answer).blob ?? '', 'base64').toString('latin1'),
  base64url: (answer) => Buffer.from(body(answer).blob ?? '', 'base64url').toString('latin1'),
  'url-encoded-twice': (answer) => percentDecoded(body(answer).next ?? '', 2),
  'url-encoded-three-times': (answer) => percentDecoded(String(answer.body), 3),
  'hex-mixed-case': (answer) => Buffer.from(body(answer).hex ?? '', 'hex').toString('latin1'),
  'utf-16le-body': (answer) => String(answer.body),
  'utf-16le-in-binary': (answer) => {
    const bytes = Buffer.from(String(answer.body), 'base64');
    return `${bytes.toString('utf16le')} ${bytes.subarray(1).toString('utf16le')}`;
  },
  gzip: (answer) => body(answer).key ?? '',
  deflate: (answer) => String(answer.body),
  br: (answer) => String(answer.body),
  'split-across-headers': (answer) => `${answer.headers['x-part-1']}${answer.headers['x-part-2']}`,
};

describe('the proxy never hands back a secret it can recognise, in any of the forms APIs echo it', () => {
  let service: LocalService;
  let echo: EchoApi;

  beforeAll(async () => {
    service = await startLocalService();
    echo = await startEchoApi();
    service.allowVerificationTarget(echo.url);
    const token = await service.token(tenant);
    const created = await service.api('POST', '/credentials', {
      token,
      body: {
        componentId: 'http-api-key',
        fields: { baseUrl: echo.url, headerName: 'x-api-key', verifyPath: '/ok', apiKey: key },
      },
    });
    expect(created.status).toBe(201);
    const flow = await service.api('PUT', '/flows/echo', {
      token,
      body: {
        name: 'echo',
        status: 'active',
        steps: [{ stepId: 'call', componentId: 'http-api-key', credentialId: created.body.id }],
      },
    });
    expect(flow.status).toBeLessThan(300);
  });
  afterAll(async () => {
    await echo.stop();
    await service.stop();
  });

  const deps = () =>
    buildProxyDependencies(
      service.deps,
      { cacheTtlMs: 30_000, refreshMarginMs: 60_000, refresh: { leaseWaitMs: 5_000 } },
      service.config,
    );

  it.each(Object.keys(ECHO_FORMS))('masks the key echoed as %s', async (form) => {
    const answer = await proxyRequest(deps(), actor, {
      flowId: 'echo',
      stepId: 'call',
      executionId: 'exec-1',
      request: { method: 'GET', path: `/echo/${form}` },
    });
    expect(answer.status).toBe(200);
    // The upstream really echoed it (the form is not empty), and the workflow cannot read it back.
    const shown =
      answer.bodyEncoding === 'base64'
        ? Buffer.from(String(answer.body), 'base64').toString('latin1')
        : JSON.stringify(answer);
    expect(shown).toContain('***');
    expect(JSON.stringify(answer)).not.toContain(key);
    expect(readBack[form as keyof typeof ECHO_FORMS]?.(answer)).not.toContain(key);
  });

  it('answers a compressed body decoded, without a content-encoding that would no longer be true', async () => {
    const answer = await proxyRequest(deps(), actor, {
      flowId: 'echo',
      stepId: 'call',
      executionId: 'exec-1',
      request: { method: 'GET', path: '/echo/gzip' },
    });
    expect(answer).toMatchObject({ bodyEncoding: 'json', body: { key: '***' } });
    expect(answer.headers['content-encoding']).toBeUndefined();
  });
});
