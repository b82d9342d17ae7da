import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Problem } from '../errors/problem.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

const SECURITY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const noContent = (headers: Record<string, string> = {}): HttpResult => ({
  statusCode: 204,
  headers: { ...SECURITY_HEADERS, ...headers },
});

/** RFC 6750 §3 for a refused token; RFC 9110 Retry-After for a failure a retry can cure. */
const authenticateHeader = (problem: Problem): Record<string, string> => {
  if (problem.code === 'unauthorized') return { 'www-authenticate': 'Bearer error="invalid_token"' };
  if (problem.code === 'upstream_unavailable') return { 'retry-after': '1' };
  if (problem.code === 'insufficient_scope')
    return {
      'www-authenticate': `Bearer error="insufficient_scope", scope="${String(problem.requiredScope ?? '')}"`,
    };
  return {};
};

export const problemResponse = (problem: Problem, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: problem.status,
  headers: {
    'content-type': 'application/problem+json',
    ...SECURITY_HEADERS,
    ...authenticateHeader(problem),
    ...headers,
  },
  body: JSON.stringify(problem),
});
