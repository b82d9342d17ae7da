import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type NetworkPolicy, type Resolver, vetDestination } from './network-guard.ts';

export interface GuardedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

export interface GuardedResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  /** At most `maxResponseBytes` of the body. */
  readonly body: string;
  /** The same bytes, undecoded (for a binary answer). */
  readonly bytes: Buffer;
  /** The server sent more than `maxResponseBytes`. */
  readonly truncated: boolean;
}

export interface GuardedHttpOptions extends NetworkPolicy {
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly maxRedirects: number;
  /** A redirect to another origin is answered as it is, never followed. */
  readonly sameOriginRedirectsOnly?: boolean;
  readonly resolve?: Resolver;
}

/**
 * Whether a failed request may have reached the server: false only when it failed before the
 * request was fully written (no connection, a refused destination). A token endpoint that may have
 * seen a refresh token may have rotated it.
 */
export const requestMayHaveBeenSent = (error: unknown): boolean =>
  (error as { requestSent?: unknown } | null)?.requestSent === true;

export class RequestTimeoutError extends Error {
  constructor() {
    super('The request timed out.');
    this.name = 'RequestTimeoutError';
  }
}

const once = async (
  request: GuardedRequest,
  options: GuardedHttpOptions,
  deadline: number,
): Promise<GuardedResponse> => {
  const url = new URL(request.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error('Only http and https are allowed.');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const vetted = await vetDestination(url.hostname, port, options, options.resolve);
  // The socket connects to the vetted address; Host and TLS SNI still carry the original name.
  const lookup: LookupFunction = (_hostname, _lookupOptions, callback) => {
    const lookupOptions = _lookupOptions as { all?: boolean };
    if (lookupOptions?.all)
      (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [vetted]);
    else callback(null, vetted.address, vetted.family);
  };
  const remaining = deadline - Date.now();
  if (remaining <= 0) throw new RequestTimeoutError();
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<GuardedResponse>((resolve, reject) => {
    const outgoing = send(
      url,
      { method: request.method, headers: request.headers, lookup, timeout: remaining, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        // One byte past the cap tells a body of exactly the cap from a longer one.
        const limit = options.maxResponseBytes + 1;
        response.on('data', (chunk: Buffer) => {
          if (size >= limit) return;
          chunks.push(chunk.subarray(0, limit - size));
          size = Math.min(size + chunk.byteLength, limit);
          if (size >= limit) response.destroy();
        });
        const finish = () => {
          const bytes = Buffer.concat(chunks).subarray(0, options.maxResponseBytes);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: bytes.toString('utf8'),
            bytes,
            truncated: size > options.maxResponseBytes,
          });
        };
        response.on('end', finish);
        response.on('close', finish);
        response.on('error', finish);
      },
    );
    let sent = false;
    outgoing.on('finish', () => {
      sent = true;
    });
    const timer = setTimeout(() => outgoing.destroy(new RequestTimeoutError()), remaining);
    outgoing.on('timeout', () => outgoing.destroy(new RequestTimeoutError()));
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      reject(Object.assign(error, { requestSent: sent }));
    });
    outgoing.on('close', () => clearTimeout(timer));
    if (request.body !== undefined) outgoing.write(request.body);
    outgoing.end();
  });
};

/**
 * An HTTP request to a user-chosen URL: every hop (redirects included) is vetted, the whole exchange
 * has one deadline, and the response body is capped.
 */
export const guardedHttp = async (
  request: GuardedRequest,
  options: GuardedHttpOptions,
): Promise<GuardedResponse> => {
  const deadline = Date.now() + options.timeoutMs;
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await once(current, options, deadline);
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location || hop >= options.maxRedirects)
      return response;
    const next = new URL(location, current.url);
    const sameOrigin = next.origin === new URL(current.url).origin;
    if (!sameOrigin && options.sameOriginRedirectsOnly) return response;
    const keepsMethod = response.status === 307 || response.status === 308;
    // A 307/308 would carry the body (a refresh token, a client secret) on to the other origin:
    // such a redirect is not followed, and its answer is what the caller gets.
    if (keepsMethod && !sameOrigin && current.body !== undefined) return response;
    current = {
      method: keepsMethod ? current.method : 'GET',
      url: next.toString(),
      // Credentials never follow a redirect to another origin.
      headers: sameOrigin ? current.headers : {},
      body: keepsMethod ? current.body : undefined,
    };
  }
};
