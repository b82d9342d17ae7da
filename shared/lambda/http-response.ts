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

export const problemResponse = (problem: Problem): HttpResult => ({
  statusCode: problem.status,
  headers: { 'content-type': 'application/problem+json', ...SECURITY_HEADERS },
  body: JSON.stringify(problem),
});
