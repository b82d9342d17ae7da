import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import type { Actor } from '../domain/actor.ts';
import type { AuditedRequest } from '../domain/audit.ts';
import type { ApiSpec, ComponentDefinition } from '../domain/component.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { type SecretMasker, secretMasker } from '../domain/secret-masking.ts';
import { AppError } from '../errors/app-error.ts';
import { type ApiClient, type ApiResponse, ApiUnreachableError } from '../ports/api-client.ts';
import {
  actForStep,
  type LoadOptions,
  loadStepCredential,
  type StepCredential,
  type StepCredentialDependencies,
  type StepInput,
} from './step-credential.ts';

export type ProxyMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
export type BodyEncoding = 'json' | 'text' | 'base64';

/** What a step asks the proxy to send: a path under the credential's API base, never a URL. */
export interface ProxiedRequest {
  readonly method: ProxyMethod;
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** How `body` is sent: JSON (the default for a non-string), text, or base64-encoded bytes. */
  readonly bodyEncoding?: BodyEncoding;
  readonly timeoutMs?: number;
}

export interface ProxyInput extends StepInput {
  readonly request: ProxiedRequest;
}

export interface ProxiedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Parsed JSON, text, base64 (see `bodyEncoding`), or null for an empty body. */
  readonly body: unknown;
  readonly bodyEncoding: BodyEncoding;
  readonly durationMs: number;
}

export interface ProxyDependencies extends StepCredentialDependencies {
  readonly api: ApiClient;
}

/** Lambda's synchronous payload limit (6 MB), with room for the envelope. */
export const MAX_PROXY_ANSWER_BYTES = 6_000_000;
export const DEFAULT_PROXY_TIMEOUT_MS = 10_000;
/** Everything a proxied call may take after its AWS calls: a refresh, a request and one retry. */
export const PROXY_EXCHANGE_BUDGET_MS = 21_000;

const IDEMPOTENT: ReadonlySet<string> = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);
/** Headers the service sets, or that would change where or how the request goes. */
const RESERVED_REQUEST_HEADERS = new Set([
  'host',
  'authorization',
  'proxy-authorization',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'accept-encoding',
]);
/** Hop-by-hop headers (RFC 9110 §7.6.1) and ones that describe bytes the workflow does not get. */
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'trailer',
  'te',
  'content-length',
]);

const fill = (template: string, values: FieldValues): string =>
  template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) =>
    values[name] === undefined ? '' : String(values[name]),
  );

const unsupported = (component: ComponentDefinition, why: string) =>
  new AppError('proxy_unsupported', `The proxy cannot call ${component.name}: ${why}`, {
    extensions: { componentId: component.id },
  });

const invalidRequest = (path: string, message: string) =>
  new AppError('validation_failed', `${path}: ${message}`, { issues: [{ path, message }] });

/** The API base the credential was saved with (bound with its secret), checked against the descriptor. */
const apiBaseOf = (component: ComponentDefinition, api: ApiSpec, values: FieldValues): URL => {
  const filled = fill(api.baseUrl, values).replace(/\/+$/, '');
  if (!filled) throw unsupported(component, 'the credential has no API base URL; set it with its secrets.');
  let base: URL;
  try {
    base = new URL(filled);
  } catch {
    throw unsupported(component, 'its API base URL is not a URL.');
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw unsupported(component, 'its API base URL is not http(s).');
  if (base.username || base.password || base.search || base.hash)
    throw unsupported(component, 'its API base URL carries credentials, a query or a fragment.');
  if (api.baseUrlPattern && !new RegExp(api.baseUrlPattern).test(filled))
    throw unsupported(component, 'its API base URL is not one of the provider’s.');
  return base;
};

/**
 * The upstream URL: the base's origin and path, then the step's path, then the query. The result is
 * checked again, so no spelling of the path leaves the base (`..`, `//host`, `\`, `@`).
 */
const upstreamUrl = (base: URL, request: ProxiedRequest, authQuery?: [string, string]): URL => {
  const basePath = base.pathname.replace(/\/+$/, '');
  const url = new URL(`${base.origin}${basePath}${request.path}`);
  if (url.origin !== base.origin || !`${url.pathname}/`.startsWith(`${basePath}/`))
    throw invalidRequest('request.path', 'must stay under the API base URL');
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (authQuery && name === authQuery[0])
      throw invalidRequest(`request.query.${name}`, 'is set by the service (the credential)');
    for (const one of typeof value === 'string' ? [value] : value) url.searchParams.append(name, one);
  }
  if (authQuery) url.searchParams.set(authQuery[0], authQuery[1]);
  return url;
};

const encodeBody = (request: ProxiedRequest): { bytes?: Buffer; contentType?: string } => {
  if (request.body === undefined || request.body === null) return {};
  const encoding = request.bodyEncoding ?? (typeof request.body === 'string' ? 'text' : 'json');
  if (encoding === 'json')
    return { bytes: Buffer.from(JSON.stringify(request.body)), contentType: 'application/json' };
  if (typeof request.body !== 'string')
    throw invalidRequest('request.body', `must be a string with bodyEncoding '${encoding}'`);
  if (encoding === 'text')
    return { bytes: Buffer.from(request.body), contentType: 'text/plain; charset=utf-8' };
  return { bytes: Buffer.from(request.body, 'base64'), contentType: 'application/octet-stream' };
};

/** The request as the API receives it: the descriptor's headers, the step's, then the credential. */
const buildRequest = (
  component: ComponentDefinition,
  credential: StepCredential,
  request: ProxiedRequest,
) => {
  const api = component.api;
  if (!api) throw unsupported(component, 'its component has no HTTP API; use resolve.');
  const values = { ...credential.fields, ...credential.secrets };
  const base = apiBaseOf(component, api, values);
  const authHeader = api.auth.kind === 'header' ? fill(api.auth.name, values).toLowerCase() : undefined;
  const headers: Record<string, string> = { 'user-agent': 'credentials-service-proxy/1', accept: '*/*' };
  for (const [name, value] of Object.entries(api.headers ?? {}))
    headers[fill(name, values).toLowerCase()] = fill(value, values);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (RESERVED_REQUEST_HEADERS.has(lower) || lower === authHeader)
      throw invalidRequest(`request.headers.${name}`, 'is set by the service');
    headers[lower] = value;
  }
  // Compressed answers would have to be decompressed to be masked: ask for none.
  headers['accept-encoding'] = 'identity';
  const { bytes, contentType } = encodeBody(request);
  if (contentType && headers['content-type'] === undefined) headers['content-type'] = contentType;
  const auth = api.auth;
  if (auth.kind === 'header' && authHeader) headers[authHeader] = fill(auth.value, values);
  if (auth.kind === 'bearer') headers.authorization = `Bearer ${fill(auth.token, values)}`;
  if (auth.kind === 'basic')
    headers.authorization = `Basic ${Buffer.from(`${fill(auth.username, values)}:${fill(auth.password, values)}`).toString('base64')}`;
  const url = upstreamUrl(
    base,
    request,
    auth.kind === 'query' ? [fill(auth.name, values), fill(auth.value, values)] : undefined,
  );
  return { url, headers, ...(bytes === undefined ? {} : { body: bytes }) };
};

const isTextual = (contentType: string) =>
  /^text\/|[/+](json|xml)\b|^application\/(x-www-form-urlencoded|javascript|problem\+json)/i.test(
    contentType,
  );

const DECODERS: Readonly<Record<string, (bytes: Buffer, maxOutputLength: number) => Buffer>> = {
  gzip: (bytes, maxOutputLength) => gunzipSync(bytes, { maxOutputLength }),
  'x-gzip': (bytes, maxOutputLength) => gunzipSync(bytes, { maxOutputLength }),
  deflate: (bytes, maxOutputLength) => inflateSync(bytes, { maxOutputLength }),
  br: (bytes, maxOutputLength) => brotliDecompressSync(bytes, { maxOutputLength }),
  identity: (bytes) => bytes,
};

/**
 * The body as the API meant it: the proxy asks for no compression, but an API may compress
 * anyway, and a compressed secret cannot be recognised. So the answer is decoded (up to the
 * proxy's cap), or withheld when its encoding is one the proxy cannot read.
 */
const decodedBody = (body: Buffer, contentEncoding: string | undefined, maxBytes: number): Buffer => {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter(Boolean);
  let bytes = body;
  for (const coding of codings.reverse()) {
    const decode = DECODERS[coding];
    if (!decode)
      throw new AppError(
        'api_response_unreadable',
        `The API answered in the '${coding.slice(0, 40)}' content encoding, which the proxy cannot read (and so cannot mask).`,
        { extensions: { contentEncoding: coding.slice(0, 40) } },
      );
    try {
      bytes = decode(bytes, maxBytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
      throw new AppError('api_response_unreadable', `The API's ${coding} answer could not be decoded.`, {
        extensions: { contentEncoding: coding },
      });
    }
  }
  return bytes;
};

/** Text in the charset it declares (or its byte-order mark): UTF-16 in either order, else UTF-8. */
const textOf = (bytes: Buffer, contentType: string): string => {
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1]?.toLowerCase();
  const bom = bytes.subarray(0, 2).toString('hex');
  if (charset === 'utf-16be' || (charset?.startsWith('utf-16') && bom === 'feff') || bom === 'feff')
    return Buffer.from(bytes)
      .swap16()
      .toString('utf16le')
      .replace(/^\ufeff/, '');
  if (charset?.startsWith('utf-16') || bom === 'fffe')
    return bytes.toString('utf16le').replace(/^\ufeff/, '');
  return bytes.toString('utf8');
};

/**
 * What the workflow reads, masked after it is decoded: the headers as one text, the body decoded
 * from its content encoding and charset, JSON parsed so its escapes are undone before each key and
 * value is masked.
 */
const answerOf = (
  response: ApiResponse,
  durationMs: number,
  masker: SecretMasker,
  maxBytes: number,
): ProxiedResponse => {
  const received: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    received[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const body = decodedBody(response.body, received['content-encoding'], maxBytes);
  // The body handed over is decoded: saying it is still encoded would be false.
  delete received['content-encoding'];
  const headers = masker.headers(received);
  const contentType = received['content-type'] ?? '';
  const status = response.status;
  if (body.length === 0) return { status, headers, body: null, bodyEncoding: 'text', durationMs };
  if (isTextual(contentType)) {
    const text = textOf(body, contentType);
    if (/json/i.test(contentType)) {
      try {
        return { status, headers, body: masker.json(JSON.parse(text)), bodyEncoding: 'json', durationMs };
      } catch {
        // Not the JSON it claimed to be (or nested deeper than it can be walked): handed over as
        // the text it is, masked as text.
      }
    }
    return { status, headers, body: masker.text(text), bodyEncoding: 'text', durationMs };
  }
  return { status, headers, body: masker.bytes(body).toString('base64'), bodyEncoding: 'base64', durationMs };
};

const tooLarge = (limitBytes: number) =>
  new AppError(
    'api_response_too_large',
    `The API answered with more than the proxy can return (${limitBytes} bytes); ask it for less (paging, fields).`,
    { extensions: { limitBytes } },
  );

const unreachable = (error: ApiUnreachableError) =>
  new AppError('api_unreachable', error.message, {
    extensions: {
      reason: error.reason,
      retryAfterSeconds: error.reason === 'blocked_destination' ? undefined : 2,
    },
  });

type Outcome = { readonly answer: ProxiedResponse } | { readonly error: AppError; readonly status: number };

/** The audit's view of the request: the path without the query's values, never a body. */
const audited = (request: ProxiedRequest, outcome: Outcome, durationMs: number): AuditedRequest => ({
  method: request.method,
  path: request.path.slice(0, 512),
  status: 'answer' in outcome ? outcome.answer.status : outcome.status,
  durationMs: Math.round(durationMs),
});

/**
 * Calls the component's API for a workflow step, so the workflow never holds the secret: the same
 * authorization as resolve, the request built from the descriptor's auth template and sent only to
 * the API base the credential was saved with, the answer masked. OAuth2: an access token the API
 * calls expired is refreshed once (through the single-flight lease) and the request sent once more.
 */
export const proxyRequest = async (
  deps: ProxyDependencies,
  actor: Actor,
  input: ProxyInput,
): Promise<ProxiedResponse> => {
  const deadline = input.deadline ?? Date.now() + PROXY_EXCHANGE_BUDGET_MS;
  // Refused before any AWS call when the named credential's component cannot be proxied.
  const named = input.credentialId ? parseCredentialId(input.credentialId) : undefined;
  const namedComponent = named ? deps.components.find(named.componentId) : undefined;
  if (namedComponent && !namedComponent.api)
    throw unsupported(namedComponent, 'its component has no HTTP API; use resolve.');

  const send = async (credential: StepCredential): Promise<{ outcome: Outcome; ms: number }> => {
    const component = deps.components.get(credential.componentId);
    const built = buildRequest(component, credential, input.request);
    const masker = secretMasker(credential.secrets, credential.fields);
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      const timeoutMs = Math.min(input.request.timeoutMs ?? DEFAULT_PROXY_TIMEOUT_MS, remaining);
      try {
        if (timeoutMs <= 0) throw new ApiUnreachableError('timeout', false);
        const response = await deps.api.send(
          {
            method: input.request.method,
            url: built.url.toString(),
            headers: built.headers,
            ...(built.body ? { body: built.body } : {}),
          },
          timeoutMs,
        );
        const ms = performance.now() - started;
        if (response.truncated)
          return { outcome: { error: tooLarge(deps.api.maxResponseBytes), status: response.status }, ms };
        let answer: ProxiedResponse;
        try {
          answer = answerOf(response, Math.round(ms), masker, deps.api.maxResponseBytes);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          return { outcome: { error, status: response.status }, ms };
        }
        if (Buffer.byteLength(JSON.stringify(answer)) > MAX_PROXY_ANSWER_BYTES)
          return { outcome: { error: tooLarge(MAX_PROXY_ANSWER_BYTES), status: response.status }, ms };
        return { outcome: { answer }, ms };
      } catch (error) {
        if (!(error instanceof ApiUnreachableError)) throw error;
        // Once, and only when a repeat cannot do twice what the API may already have done.
        const retry =
          attempt === 1 &&
          error.reason !== 'blocked_destination' &&
          (IDEMPOTENT.has(input.request.method) || !error.requestSent);
        if (!retry)
          return { outcome: { error: unreachable(error), status: 0 }, ms: performance.now() - started };
      }
    }
  };

  const expiredSignal = (credential: StepCredential, outcome: Outcome) => {
    if (!('answer' in outcome)) return false;
    const component = deps.components.get(credential.componentId);
    const statuses = component.api?.expiredTokenStatuses ?? [401];
    return component.verification.kind === 'oauth2' && statuses.includes(outcome.answer.status);
  };

  // Each request is sent only once its record is written under the step's authorization.
  const sendAuthorized = (credential: StepCredential | undefined, options: LoadOptions = {}) =>
    actForStep(
      deps,
      actor,
      input,
      'proxied',
      credential,
      async (used) => {
        const { outcome, ms } = await send(used);
        return {
          answer: outcome,
          record: {
            detail: 'answer' in outcome ? 'sent' : outcome.error.code,
            request: audited(input.request, outcome, ms),
          },
        };
      },
      options,
    );

  const first = await sendAuthorized(undefined);
  let outcome = first.answer;
  if (expiredSignal(first.credential, outcome) && deadline - Date.now() > 0) {
    // The API says the token expired: one refresh (or a fresh client-credentials token), one retry.
    const refusedToken = String(first.credential.secrets.accessToken ?? '');
    const options = { refusedAccessToken: refusedToken };
    const renewed = await loadStepCredential(deps, actor, { ...input, deadline }, 'proxied', options);
    if (renewed.secrets.accessToken !== refusedToken)
      outcome = (await sendAuthorized(renewed, options)).answer;
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.answer;
};
