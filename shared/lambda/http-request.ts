import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { VersionCondition } from '../domain/version-condition.ts';
import { AppError } from '../errors/app-error.ts';

/** Bodies above this are refused before parsing; the largest legal secret is 64 KB. */
export const MAX_BODY_BYTES = 256 * 1024;

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly claims: Readonly<Record<string, string | number | boolean | string[]>>;
}

export const isHttpEvent = (event: unknown): event is APIGatewayProxyEventV2WithJWTAuthorizer =>
  typeof event === 'object' &&
  event !== null &&
  typeof (event as { requestContext?: { http?: { method?: unknown } } }).requestContext?.http?.method ===
    'string';

/** Fatal: invalid UTF-8 is refused, never turned into U+FFFD and stored. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

const parseBody = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  headers: Record<string, string>,
): unknown => {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) {
    throw new AppError('payload_too_large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  }
  const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json' && contentType !== 'application/merge-patch+json') {
    throw new AppError('unsupported_media_type', 'Send the body as application/json.');
  }
  let text: string;
  try {
    text = UTF8.decode(raw);
  } catch {
    throw new AppError('malformed_request', 'The request body is not valid UTF-8.');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('malformed_request', 'The request body is not valid JSON.');
  }
};

/**
 * API Gateway comma-joins a repeated parameter, so `?dryRun=true&dryRun=false` would reach the
 * function as one value; which one the caller meant is unknowable, so it is refused.
 */
const assertNoRepeatedParameters = (rawQueryString: string | undefined): void => {
  const seen = new Set<string>();
  for (const [name] of new URLSearchParams(rawQueryString ?? '')) {
    if (seen.has(name))
      throw new AppError(
        'malformed_request',
        `The query parameter '${name.slice(0, 64)}' is repeated; send it once.`,
      );
    seen.add(name);
  }
};

export const toHttpRequest = (event: APIGatewayProxyEventV2WithJWTAuthorizer): HttpRequest => {
  assertNoRepeatedParameters(event.rawQueryString);
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value ?? '']),
  );
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    pathParameters: Object.fromEntries(
      Object.entries(event.pathParameters ?? {}).map(([name, value]) => [name, value ?? '']),
    ),
    query: Object.fromEntries(
      Object.entries(event.queryStringParameters ?? {}).map(([name, value]) => [name, value ?? '']),
    ),
    headers,
    body: parseBody(event, headers),
    claims: (event.requestContext.authorizer?.jwt?.claims ?? {}) as HttpRequest['claims'],
  };
};

/** One entity-tag of an If-Match list (RFC 9110 §8.8.3): quoted, optionally weak. */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;

/**
 * If-Match as RFC 9110 §13.1.1 reads it: `*` is any current version; otherwise a list of tags,
 * compared strongly, so a weak tag or one this API never issued (`"abc"`) simply never matches and
 * ends in 412, like a stale one. Only a value that is not an entity-tag list at all is a 400.
 */
export const ifMatchVersion = (request: HttpRequest): VersionCondition | undefined => {
  const header = request.headers['if-match']?.trim();
  if (header === undefined || header === '') return undefined;
  if (header === '*') return '*';
  const versions: number[] = [];
  for (const member of header.split(',')) {
    const tag = member.trim();
    if (tag === '') continue;
    const match = ENTITY_TAG.exec(tag);
    if (!match) {
      throw new AppError(
        'malformed_request',
        /^\d+$/.test(tag)
          ? `If-Match takes entity tags, which are quoted: send "${tag.slice(0, 15)}" (the ETag as it was returned), not ${tag.slice(0, 15)}.`
          : 'If-Match must be * or a list of entity tags returned by this API, e.g. "3".',
      );
    }
    const opaque = match[1] ? undefined : match[2];
    if (opaque !== undefined && /^[1-9]\d{0,14}$/.test(opaque)) versions.push(Number(opaque));
  }
  return versions.slice(0, 20);
};

export const etag = (version: number): string => `"${version}"`;
