import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { startScriptedUpstream } from './support.ts';

const tenant = 'tenant-echo';

/** What an upstream that reflects its request could answer: every shape a secret can take. */
const echoes: Record<string, (request: IncomingMessage, body: string) => string> = {
  raw: (request) => JSON.stringify({ message: `bad key ${request.headers['x-api-key'] ?? ''}` }),
  authorizationHeader: (request) =>
    JSON.stringify({
      error: 'unauthorized',
      error_description: `got ${request.headers.authorization ?? ''}`,
    }),
  reversed: (request) =>
    JSON.stringify({ message: [...String(request.headers['x-api-key'] ?? '')].reverse().join('') }),
  spaced: (request) => JSON.stringify({ message: [...String(request.headers['x-api-key'] ?? '')].join(' ') }),
  upperCased: (request) =>
    JSON.stringify({ message: String(request.headers['x-api-key'] ?? '').toUpperCase() }),
  urlEncoded: (request) =>
    JSON.stringify({ message: encodeURIComponent(String(request.headers['x-api-key'] ?? '')) }),
  base64: (request) =>
    JSON.stringify({ code: Buffer.from(String(request.headers['x-api-key'] ?? '')).toString('base64') }),
  base64url: (request) =>
    JSON.stringify({ code: Buffer.from(String(request.headers['x-api-key'] ?? '')).toString('base64url') }),
  hex: (request) =>
    JSON.stringify({ message: Buffer.from(String(request.headers['x-api-key'] ?? '')).toString('hex') }),
  otherMember: (request) => JSON.stringify({ error: 'denied', detail: request.headers['x-api-key'] }),
  plainText: (request) =>
    `denied: ${request.headers['x-api-key'] ?? ''} ${request.headers.authorization ?? ''}`,
  formBody: (_request, body) => JSON.stringify({ error: 'invalid_client', error_description: body }),
};

describe('verification failures never carry a secret back to the caller', () => {
  let service: LocalService;
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
  let token: string;
  beforeAll(async () => {
    service = await startLocalService();
    upstream = await startScriptedUpstream((request, body) => {
      const mode = new URL(request.url ?? '/', 'http://x').pathname.split('/')[1] ?? '';
      const echo = echoes[mode];
      return { status: mode === 'token' ? 401 : 401, body: echo ? echo(request, body) : '{}' };
    });
    service.allowVerificationTarget(upstream.url);
    token = await service.token(tenant);
  });
  afterAll(async () => {
    await upstream.stop();
    await service.stop();
  });

  const forms = (secret: string, user?: string) => [
    secret,
    [...secret].reverse().join(''),
    [...secret].join(' '),
    secret.toUpperCase(),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(secret).toString('hex'),
    ...(user ? [Buffer.from(`${user}:${secret}`).toString('base64').replace(/=+$/, '')] : []),
  ];

  it('drops or masks an API key echoed in any form (raw, reversed, spaced, encoded, other members)', async () => {
    let attempts = 0;
    let gotThrough = 0;
    for (const mode of Object.keys(echoes)) {
      const apiKey = `Key-${mode}-5f3a9c`;
      const response = await service.api('POST', '/credentials', {
        token,
        body: {
          componentId: 'http-api-key',
          fields: { baseUrl: upstream.url, headerName: 'X-Api-Key', verifyPath: `/${mode}`, apiKey },
        },
      });
      attempts++;
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ code: 'verification_failed', upstreamStatus: 401 });
      const leaked = forms(apiKey).filter((form) => response.text.includes(form));
      if (leaked.length > 0) gotThrough++;
      expect({ mode, leaked }).toEqual({ mode, leaked: [] });
    }
    expect(attempts).toBe(Object.keys(echoes).length);
    expect(gotThrough).toBe(0);
  });

  it('drops a password echoed inside a Basic authorization header', async () => {
    const response = await service.api('POST', '/credentials', {
      token,
      body: {
        componentId: 'http-basic',
        fields: {
          baseUrl: upstream.url,
          verifyPath: '/authorizationHeader',
          username: 'ann',
          password: 'pw-echoed-77',
        },
      },
    });
    expect(response.status).toBe(422);
    for (const form of forms('pw-echoed-77', 'ann')) expect(response.text).not.toContain(form);
  });

  it('drops a client secret echoed by a token endpoint, in Basic form or from the form body', async () => {
    for (const path of ['/authorizationHeader', '/formBody']) {
      const response = await service.api('POST', '/credentials', {
        token,
        body: {
          componentId: 'oauth2',
          fields: {
            tokenUrl: `${upstream.url}${path}`,
            clientId: 'client-echo',
            clientSecret: 'client-secret-echo-1',
            accessToken: 'access-echo-1',
            refreshToken: 'refresh-echo-1',
          },
        },
      });
      expect(response.status).toBe(422);
      for (const secret of ['client-secret-echo-1', 'access-echo-1', 'refresh-echo-1'])
        for (const form of forms(secret, 'client-echo')) expect(response.text).not.toContain(form);
    }
  });
});
