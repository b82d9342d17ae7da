import type { Scope } from '../shared/lambda/scopes.ts';

/**
 * The HTTP contract: every public route and the function that serves it. The CDK HTTP API and the
 * local gateway are both built from this list, so they cannot drift apart.
 */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Folder under functions/ holding `handler.ts` and `operation.ts`. */
  readonly functionName: HttpFunctionName;
  /** The OAuth2 scope a token needs: API Gateway refuses the request without it. */
  readonly scope: Scope;
}

export const HTTP_FUNCTION_NAMES = [
  'list-components',
  'get-component',
  'create-credential',
  'list-credentials',
  'get-credential',
  'update-credential',
  'delete-credential',
  'get-credential-usage',
  'replace-credential',
  'verify-credential',
  'get-credential-audit',
  'put-flow',
  'get-flow',
  'list-flows',
  'delete-flow',
  'put-oauth-app',
  'list-oauth-apps',
  'get-oauth-app',
  'delete-oauth-app',
  'create-connect-session',
  'get-connect-session',
  'proxy-request',
] as const;
export type HttpFunctionName = (typeof HTTP_FUNCTION_NAMES)[number];

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/components', functionName: 'list-components', scope: 'credentials:read' },
  {
    method: 'GET',
    path: '/components/{componentId}',
    functionName: 'get-component',
    scope: 'credentials:read',
  },
  { method: 'POST', path: '/credentials', functionName: 'create-credential', scope: 'credentials:write' },
  { method: 'GET', path: '/credentials', functionName: 'list-credentials', scope: 'credentials:read' },
  {
    method: 'GET',
    path: '/credentials/{credentialId}',
    functionName: 'get-credential',
    scope: 'credentials:read',
  },
  {
    method: 'PATCH',
    path: '/credentials/{credentialId}',
    functionName: 'update-credential',
    scope: 'credentials:write',
  },
  {
    method: 'DELETE',
    path: '/credentials/{credentialId}',
    functionName: 'delete-credential',
    scope: 'credentials:write',
  },
  {
    method: 'GET',
    path: '/credentials/{credentialId}/usage',
    functionName: 'get-credential-usage',
    scope: 'credentials:read',
  },
  {
    method: 'POST',
    path: '/credentials/{credentialId}/replace',
    functionName: 'replace-credential',
    scope: 'credentials:write',
  },
  {
    method: 'POST',
    path: '/credentials/{credentialId}/verify',
    functionName: 'verify-credential',
    scope: 'credentials:write',
  },
  {
    method: 'GET',
    path: '/credentials/{credentialId}/audit',
    functionName: 'get-credential-audit',
    scope: 'audit:read',
  },
  { method: 'PUT', path: '/flows/{flowId}', functionName: 'put-flow', scope: 'flows:write' },
  { method: 'GET', path: '/flows/{flowId}', functionName: 'get-flow', scope: 'flows:read' },
  { method: 'GET', path: '/flows', functionName: 'list-flows', scope: 'flows:read' },
  { method: 'DELETE', path: '/flows/{flowId}', functionName: 'delete-flow', scope: 'flows:write' },
  {
    method: 'PUT',
    path: '/oauth-apps/{componentId}',
    functionName: 'put-oauth-app',
    scope: 'credentials:write',
  },
  { method: 'GET', path: '/oauth-apps', functionName: 'list-oauth-apps', scope: 'credentials:read' },
  {
    method: 'GET',
    path: '/oauth-apps/{componentId}',
    functionName: 'get-oauth-app',
    scope: 'credentials:read',
  },
  {
    method: 'DELETE',
    path: '/oauth-apps/{componentId}',
    functionName: 'delete-oauth-app',
    scope: 'credentials:write',
  },
  {
    method: 'POST',
    path: '/connect-sessions',
    functionName: 'create-connect-session',
    scope: 'credentials:write',
  },
  {
    method: 'GET',
    path: '/connect-sessions/{sessionId}',
    functionName: 'get-connect-session',
    scope: 'credentials:read',
  },
  { method: 'POST', path: '/proxy', functionName: 'proxy-request', scope: 'credentials:proxy' },
];

/** Functions behind public routes: the documents, and the OAuth2 callback the browser returns to. */
export type PublicFunctionName = 'get-api-document' | 'complete-connect';

/** Routes anyone may read without a token: the contract and the pages behind problem `type` URIs. */
export interface PublicRoute {
  readonly method: 'GET';
  readonly path: string;
  readonly functionName: PublicFunctionName;
  readonly summary: string;
}

export const PUBLIC_ROUTES: readonly PublicRoute[] = [
  {
    method: 'GET',
    path: '/openapi.json',
    functionName: 'get-api-document',
    summary: 'This OpenAPI document',
  },
  {
    method: 'GET',
    path: '/problems',
    functionName: 'get-api-document',
    summary: 'The list of problem types',
  },
  {
    method: 'GET',
    path: '/problems/{code}',
    functionName: 'get-api-document',
    summary: 'What a problem type means and what to do',
  },
  {
    method: 'GET',
    path: '/oauth2/callback',
    functionName: 'complete-connect',
    summary: 'Where a provider sends the browser back after consent',
  },
];

/** The methods a route template answers, for the `Allow` header of a 405. */
export const allowedMethods = (template: string): string =>
  [...ROUTES, ...PUBLIC_ROUTES]
    .filter((route) => route.path === template)
    .map((route) => route.method)
    .join(', ');

/** Every path the API has, once: the stack gives each an `ANY` route that answers 405. */
export const ROUTE_PATHS: readonly string[] = [
  ...new Set([...ROUTES, ...PUBLIC_ROUTES].map((route) => route.path)),
];
