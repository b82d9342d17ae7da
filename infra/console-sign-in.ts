import { CONSOLE_SCOPES } from '../shared/lambda/scopes.ts';

export interface ConsoleSignIn {
  readonly authority: string;
  readonly clientId: string;
  /** What the console asks for: `openid` and every API scope, as the provider writes them. */
  readonly scope: string;
  /** Sent as `audience` on the authorization request (Auth0 issues a JWT for the API only then). */
  readonly audience?: string;
}

const isCognito = (issuer: string): boolean =>
  /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\//.test(issuer);

/**
 * The console's OpenID Connect request, derived so its access token is one the API's JWT
 * authorizer accepts and that carries the scopes the console's screens need.
 *
 * - Cognito: access tokens carry `client_id`, which API Gateway checks against `jwtAudience`, so
 *   the console's client id must be listed there; scopes are `<resource server>/<scope>`
 *   (`scopePrefix`), and Cognito adds no `audience` parameter.
 * - Others (Auth0, Okta, Entra ID…): an access token is a JWT for the API only when the request
 *   names the API's identifier as `audience`; it must be one of `jwtAudience`, and not the client id
 *   (an ID token's audience, which carries no scopes).
 */
export const consoleSignIn = (settings: {
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  readonly scopePrefix?: string;
  readonly clientId: string;
  readonly scope?: string;
  readonly audience?: string;
}): ConsoleSignIn => {
  const prefix = settings.scopePrefix ?? '';
  const scope = settings.scope ?? ['openid', ...CONSOLE_SCOPES.map((name) => `${prefix}${name}`)].join(' ');
  const missing = CONSOLE_SCOPES.map((name) => `${prefix}${name}`).filter(
    (name) => !scope.split(' ').includes(name),
  );
  if (missing.length > 0) {
    throw new Error(
      `console.scope must ask for every API scope the console uses; missing: ${missing.join(', ')} (with scopePrefix '${prefix}').`,
    );
  }
  const base = { authority: settings.jwtIssuer, clientId: settings.clientId, scope };
  if (isCognito(settings.jwtIssuer)) {
    if (!settings.jwtAudience.includes(settings.clientId)) {
      throw new Error(
        `jwtAudience must list the console's client id (${settings.clientId}): API Gateway checks a Cognito access token's client_id against it.`,
      );
    }
    return base;
  }
  const audience = settings.audience ?? settings.jwtAudience.find((value) => value !== settings.clientId);
  if (!audience || !settings.jwtAudience.includes(audience) || audience === settings.clientId) {
    throw new Error(
      "console.audience must be one of jwtAudience other than the console's client id (the API identifier at the provider): without it the provider issues an access token the API cannot accept.",
    );
  }
  return { ...base, audience };
};
