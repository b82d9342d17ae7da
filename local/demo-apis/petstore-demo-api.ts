import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PetstoreDemoApi {
  /** Base URL of the API, as the `petstore` component expects it (`…/v2`). */
  readonly baseUrl: string;
  /** The most recent requests, with a fingerprint of the key (never the key itself). */
  readonly requests: { path: string; apiKeyFingerprint: string | undefined }[];
  stop(): Promise<void>;
}

const REQUEST_LOG_LIMIT = 100;
const parsed = (chunks: Buffer[]): unknown => {
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return {};
  }
};

const ROUTES = new Set([
  'GET /v2/store/inventory',
  'GET /v2/pet/findByStatus',
  'GET /v2/pet/{id}',
  'POST /v2/pet',
  'GET /v2/debug/headers',
  'GET /v2/store/export',
  'GET /v2/store/moved',
]);

/** Enough to tell which key a request carried in a test, without keeping the key. */
export const fingerprint = (apiKey: string): string =>
  createHash('sha256').update(apiKey).digest('hex').slice(0, 12);

/** The key the public Swagger Petstore documents; the local demo accepts it too. */
export const DEMO_PETSTORE_KEY = 'special-key';

/**
 * A Petstore-style API on loopback, so verification and the proxy have a real peer locally: every
 * route answers 401 (echoing the key, as careless APIs do) without an accepted `api_key` header.
 * `GET /v2/store/inventory` (what verification asks), `GET /v2/pet/findByStatus?status=`,
 * `GET /v2/pet/{id}`, `POST /v2/pet`; and, to show what the proxy guards against,
 * `GET /v2/debug/headers` (echoes the key), `GET /v2/store/export?bytes=` (a large binary answer)
 * and `GET /v2/store/moved` (a redirect to another host). `POST /v2/demo/keys` issues another
 * accepted key and `POST /v2/demo/revoke` (`{"apiKey": "…"}`) revokes one, for the health checks.
 */
export const startPetstoreDemoApi = async (
  options: { accepts?: (apiKey: string) => boolean; port?: number } = {},
): Promise<PetstoreDemoApi> => {
  // Keys issued by `POST /v2/demo/keys` are accepted too; `POST /v2/demo/revoke` revokes any key.
  const issued = new Set<string>();
  const revoked = new Set<string>();
  const baseAccepts = options.accepts ?? ((apiKey) => apiKey === DEMO_PETSTORE_KEY || issued.has(apiKey));
  const accepts = (apiKey: string) => !revoked.has(apiKey) && baseAccepts(apiKey);
  const requests: PetstoreDemoApi['requests'] = [];
  const pets = new Map<number, Record<string, unknown>>([
    [1, { id: 1, name: 'Rex', status: 'available' }],
    [2, { id: 2, name: 'Tom', status: 'sold' }],
  ]);
  const server = createServer((request, response) => {
    const apiKey = request.headers.api_key as string | undefined;
    const url = new URL(request.url ?? '/', 'http://petstore.local');
    requests.push({
      path: url.pathname,
      apiKeyFingerprint: apiKey === undefined ? undefined : fingerprint(apiKey),
    });
    if (requests.length > REQUEST_LOG_LIMIT) requests.splice(0, requests.length - REQUEST_LOG_LIMIT);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      response
        .writeHead(status, { 'content-type': 'application/json', ...headers })
        .end(JSON.stringify(body));
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const route = `${request.method} ${url.pathname.replace(/\/pet\/\d+$/, '/pet/{id}')}`;
      // The demo's own administration, so key revocation can be tried locally: no key needed.
      if (route === 'POST /v2/demo/keys') {
        const apiKey = `demo-${randomBytes(9).toString('base64url')}`;
        issued.add(apiKey);
        return send(201, { apiKey });
      }
      if (route === 'POST /v2/demo/revoke') {
        const apiKey = String((parsed(chunks) as { apiKey?: unknown }).apiKey ?? '');
        if (!apiKey) return send(400, { code: 400, message: 'send {"apiKey": "…"}' });
        revoked.add(apiKey);
        return send(200, { revoked: true });
      }
      if (!ROUTES.has(route)) return send(404, { code: 404, message: 'not found' });
      if (apiKey === undefined || !accepts(apiKey))
        // Echoes the key back, as careless APIs do: neither verification nor the proxy may pass it on.
        return send(401, { code: 401, message: `invalid api_key ${apiKey ?? ''}` });
      if (route === 'GET /v2/store/inventory') return send(200, { available: 7, pending: 2, sold: 4 });
      if (route === 'GET /v2/pet/findByStatus') {
        const statuses = url.searchParams.getAll('status');
        return send(
          200,
          [...pets.values()].filter((pet) => statuses.length === 0 || statuses.includes(String(pet.status))),
        );
      }
      if (route === 'GET /v2/pet/{id}') {
        const pet = pets.get(Number(url.pathname.split('/').pop()));
        return pet ? send(200, pet) : send(404, { code: 404, message: 'Pet not found' });
      }
      if (route === 'POST /v2/pet') {
        let pet: Record<string, unknown>;
        try {
          pet = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          return send(400, { code: 400, message: 'Invalid input' });
        }
        const id = Math.max(0, ...pets.keys()) + 1;
        pets.set(id, { ...pet, id });
        return send(200, pets.get(id));
      }
      // A careless debugging endpoint: it shows the request's headers, the key included.
      if (route === 'GET /v2/debug/headers')
        return send(200, { headers: request.headers }, { 'x-echoed-key': apiKey });
      if (route === 'GET /v2/store/export') {
        const bytes = Math.min(Number(url.searchParams.get('bytes') ?? 1024), 16 * 1024 * 1024);
        return response
          .writeHead(200, { 'content-type': 'application/octet-stream' })
          .end(Buffer.alloc(bytes, 7));
      }
      // Moved to another host: a client that followed would carry the key there.
      if (route === 'GET /v2/store/moved')
        return response.writeHead(302, { location: 'http://127.0.0.2:9/v2/store/inventory' }).end();
      return send(404, { code: 404, message: 'not found' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    // A port in use is the caller's failure to handle, not an uncaught crash.
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v2`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
