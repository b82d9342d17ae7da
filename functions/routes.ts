/**
 * The HTTP contract: every public route and the function that serves it. The CDK HTTP API and the
 * local gateway are both built from this list, so they cannot drift apart.
 */
export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  /** Folder under functions/ holding `handler.ts` and `operation.ts`. */
  readonly functionName: FunctionName;
}

export const FUNCTION_NAMES = [
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
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/components', functionName: 'list-components' },
  { method: 'GET', path: '/components/{componentId}', functionName: 'get-component' },
  { method: 'POST', path: '/credentials', functionName: 'create-credential' },
  { method: 'GET', path: '/credentials', functionName: 'list-credentials' },
  { method: 'GET', path: '/credentials/{credentialId}', functionName: 'get-credential' },
  { method: 'PATCH', path: '/credentials/{credentialId}', functionName: 'update-credential' },
  { method: 'DELETE', path: '/credentials/{credentialId}', functionName: 'delete-credential' },
  { method: 'GET', path: '/credentials/{credentialId}/usage', functionName: 'get-credential-usage' },
  { method: 'POST', path: '/credentials/{credentialId}/replace', functionName: 'replace-credential' },
  { method: 'POST', path: '/credentials/{credentialId}/verify', functionName: 'verify-credential' },
  { method: 'GET', path: '/credentials/{credentialId}/audit', functionName: 'get-credential-audit' },
  { method: 'PUT', path: '/flows/{flowId}', functionName: 'put-flow' },
  { method: 'GET', path: '/flows/{flowId}', functionName: 'get-flow' },
  { method: 'GET', path: '/flows', functionName: 'list-flows' },
  { method: 'DELETE', path: '/flows/{flowId}', functionName: 'delete-flow' },
];
