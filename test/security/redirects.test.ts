import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedHttp } from '../../shared/adapters/verification/guarded-http.ts';
import { allowListEntry } from '../../shared/adapters/verification/network-guard.ts';

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

/** A listener on loopback that records what reaches it and answers as `answer` says. */
const listener = async (answer: (url: string) => { status: number; location?: string }) => {
  const seen: Seen[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      seen.push({
        method: request.method ?? '',
        url: request.url ?? '',
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body,
      });
      const { status, location } = answer(request.url ?? '');
      response.writeHead(status, location ? { location } : {});
      response.end('{"error":"x"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { seen, port, url: `http://127.0.0.1:${port}`, close: () => server.close() };
};

describe('redirects never carry a secret to another origin', () => {
  let other: Awaited<ReturnType<typeof listener>>;
  let origin: Awaited<ReturnType<typeof listener>>;
  let status = 307;
  beforeAll(async () => {
    other = await listener(() => ({ status: 200 }));
    origin = await listener((url) =>
      url.startsWith('/same') ? { status: 200 } : { status, location: `${other.url}/token` },
    );
  });
  afterAll(() => {
    other.close();
    origin.close();
  });
  const options = () => ({
    timeoutMs: 5000,
    maxResponseBytes: 10_000,
    maxRedirects: 3,
    allowedHosts: [allowListEntry('127.0.0.1', origin.port), allowListEntry('127.0.0.1', other.port)],
  });
  const tokenCall = {
    method: 'POST',
    url: '',
    headers: { authorization: 'Basic c2VjcmV0', 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=refresh_token&refresh_token=rt-secret-value',
  };

  it.each([307, 308])(
    'a %i to another origin is not followed with the body: its answer is returned',
    async (code) => {
      status = code;
      const before = other.seen.length;
      const response = await guardedHttp({ ...tokenCall, url: `${origin.url}/token` }, options());
      expect(response.status).toBe(code);
      expect(other.seen.slice(before)).toEqual([]);
    },
  );

  it.each([301, 302, 303])(
    'a %i to another origin arrives as a GET without body or headers',
    async (code) => {
      status = code;
      const before = other.seen.length;
      const response = await guardedHttp({ ...tokenCall, url: `${origin.url}/token` }, options());
      expect(response.status).toBe(200);
      expect(other.seen.slice(before)).toEqual([{ method: 'GET', url: '/token', body: '' }]);
    },
  );

  it('a GET with a header credential follows a cross-origin redirect without it', async () => {
    status = 307;
    const before = other.seen.length;
    await guardedHttp(
      { method: 'GET', url: `${origin.url}/inventory`, headers: { authorization: 'Bearer at-secret' } },
      options(),
    );
    expect(other.seen.slice(before)).toEqual([{ method: 'GET', url: '/token', body: '' }]);
  });
});
