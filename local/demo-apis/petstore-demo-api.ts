import { createHash } from 'node:crypto';
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

/** Enough to tell which key a request carried in a test, without keeping the key. */
export const fingerprint = (apiKey: string): string =>
  createHash('sha256').update(apiKey).digest('hex').slice(0, 12);

/** The key the public Swagger Petstore documents; the local demo accepts it too. */
export const DEMO_PETSTORE_KEY = 'special-key';

/**
 * A Petstore-style API on loopback so verification has a real peer locally: `GET /v2/store/inventory`
 * answers 200 for an accepted `api_key` header and 401 otherwise.
 */
export const startPetstoreDemoApi = async (
  options: { accepts?: (apiKey: string) => boolean; port?: number } = {},
): Promise<PetstoreDemoApi> => {
  const accepts = options.accepts ?? ((apiKey) => apiKey === DEMO_PETSTORE_KEY);
  const requests: PetstoreDemoApi['requests'] = [];
  const server = createServer((request, response) => {
    const apiKey = request.headers.api_key as string | undefined;
    requests.push({
      path: request.url ?? '',
      apiKeyFingerprint: apiKey === undefined ? undefined : fingerprint(apiKey),
    });
    if (requests.length > REQUEST_LOG_LIMIT) requests.splice(0, requests.length - REQUEST_LOG_LIMIT);
    response.setHeader('content-type', 'application/json');
    if (request.url !== '/v2/store/inventory') {
      response.writeHead(404).end(JSON.stringify({ code: 404, message: 'not found' }));
    } else if (apiKey === undefined || !accepts(apiKey)) {
      // Echoes the key back, as careless APIs do: verification must never pass it on.
      response.writeHead(401).end(JSON.stringify({ code: 401, message: `invalid api_key ${apiKey ?? ''}` }));
    } else {
      response.writeHead(200).end(JSON.stringify({ available: 7, pending: 2, sold: 4 }));
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
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
