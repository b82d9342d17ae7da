import { AppError } from '../errors/app-error.ts';

/** OAuth2 scopes a token needs per route: least privilege inside a tenant. */
export const SCOPES = [
  'credentials:read',
  'credentials:write',
  'flows:read',
  'flows:write',
  'audit:read',
  /** Calls a component's API with a flow step's credential (the proxy): workflows' callers only. */
  'credentials:proxy',
] as const;
export type Scope = (typeof SCOPES)[number];

/** What a person's console asks for: everything but the proxy, which is for workflows. */
export const CONSOLE_SCOPES: readonly Scope[] = SCOPES.filter((scope) => scope !== 'credentials:proxy');

/**
 * The scopes a token grants, from `scope` (RFC 8693 / RFC 9068: space-separated) or `scp` (an
 * array in Azure AD and Okta tokens, which API Gateway hands over as the string `[a b]`).
 */
export const grantedScopes = (claims: Readonly<Record<string, unknown>>): Set<string> => {
  const granted = new Set<string>();
  // RFC 6749 §3.3: scope tokens are separated by U+0020 and nothing else. `scp` is an array in the
  // token; API Gateway's JWT authorizer hands arrays to Lambda as `[a b]`, so only there are the
  // brackets the authorizer's own.
  const spaced = (text: string) => text.split(' ');
  for (const [name, claim] of [
    ['scope', claims.scope],
    ['scp', claims.scp],
  ] as const) {
    const values = Array.isArray(claim)
      ? claim.map(String)
      : typeof claim !== 'string'
        ? []
        : name === 'scp' && claim.startsWith('[') && claim.endsWith(']')
          ? spaced(claim.slice(1, -1))
          : spaced(claim);
    for (const value of values) if (value) granted.add(value);
  }
  return granted;
};

export const insufficientScope = (required: string): AppError =>
  new AppError('insufficient_scope', `This request needs a token with the scope '${required}'.`, {
    extensions: { requiredScope: required },
  });

/** `prefix` is the deployment's scope qualifier (e.g. Cognito's `credentials-api/`), or empty. */
export const assertScope = (
  claims: Readonly<Record<string, unknown>>,
  required: Scope,
  prefix = '',
): void => {
  if (!grantedScopes(claims).has(`${prefix}${required}`)) throw insufficientScope(`${prefix}${required}`);
};
