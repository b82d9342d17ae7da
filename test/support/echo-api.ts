import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

/** An answer that carries the key it was sent in one form: headers and body. */
interface Echo {
  readonly headers?: OutgoingHttpHeaders;
  readonly body: Buffer | string;
}

const json = (value: string): Echo => ({ headers: { 'content-type': 'application/json' }, body: value });

/**
 * The forms in which APIs met in the wild reflect a key they received: careless debug endpoints,
 * PHP's `json_encode` (which escapes `/`), token introspection in base64 inside a larger blob,
 * twice-encoded query strings, UTF-16 bodies, compression despite `accept-encoding: identity`.
 */
export const ECHO_FORMS: Readonly<Record<string, (key: string) => Echo>> = {
  raw: (key) => json(JSON.stringify({ key })),
  'json-escaped-slash': (key) => json(`{"key":"${key.replace(/\//g, '\\/')}"}`),
  'json-unicode-escapes': (key) =>
    json(`{"key":"${[...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`),
  'json-key': (key) => json(JSON.stringify({ [key]: true })),
  'base64-offset-0': (key) => json(JSON.stringify({ blob: Buffer.from(`abc${key}xyz`).toString('base64') })),
  'base64-offset-1': (key) => json(JSON.stringify({ blob: Buffer.from(`a${key}xyz`).toString('base64') })),
  'base64-offset-2': (key) => json(JSON.stringify({ blob: Buffer.from(`ab${key}xy`).toString('base64') })),
  base64url: (key) => json(JSON.stringify({ blob: Buffer.from(`a${key}`).toString('base64url') })),
  'url-encoded-twice': (key) =>
    json(JSON.stringify({ next: `/page?q=${encodeURIComponent(encodeURIComponent(key))}` })),
  'url-encoded-three-times': (key) => ({
    headers: { 'content-type': 'text/plain' },
    body: `q=${encodeURIComponent(encodeURIComponent(encodeURIComponent(key)))}`,
  }),
  'hex-mixed-case': (key) =>
    json(
      JSON.stringify({
        hex: [...Buffer.from(key).toString('hex')].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join(''),
      }),
    ),
  'utf-16le-body': (key) => ({
    headers: { 'content-type': 'text/plain; charset=utf-16le' },
    body: Buffer.from(`the key is ${key}`, 'utf16le'),
  }),
  'utf-16le-in-binary': (key) => ({
    headers: { 'content-type': 'application/octet-stream' },
    body: Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(key, 'utf16le')]),
  }),
  gzip: (key) => ({
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify({ key })),
  }),
  deflate: (key) => ({
    headers: { 'content-type': 'text/plain', 'content-encoding': 'deflate' },
    body: deflateSync(`key=${key}`),
  }),
  br: (key) => ({
    headers: { 'content-type': 'text/plain', 'content-encoding': 'br' },
    body: brotliCompressSync(`key=${key}`),
  }),
  'split-across-headers': (key) => ({
    headers: {
      'content-type': 'text/plain',
      'x-part-1': key.slice(0, key.length / 2),
      'x-part-2': key.slice(key.length / 2),
    },
    body: 'ok',
  }),
};

export interface EchoApi {
  readonly url: string;
  stop(): Promise<void>;
}

/** Answers `GET /echo/<form>` with the `x-api-key` it received in that form; `GET /ok` with 200. */
export const startEchoApi = async (): Promise<EchoApi> => {
  const server = createServer((request, response) => {
    const key = String(request.headers['x-api-key'] ?? '');
    const form = request.url?.startsWith('/echo/')
      ? ECHO_FORMS[request.url.slice('/echo/'.length)]
      : undefined;
    if (request.url === '/ok') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      return;
    }
    if (!form) {
      response.writeHead(404).end();
      return;
    }
    const echo = form(key);
    response.writeHead(200, echo.headers).end(echo.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
