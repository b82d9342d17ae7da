import type { OAuth2Provider } from '../../domain/component.ts';
import type { FieldValues } from '../../domain/credential-fields.ts';
import type { VerificationResult } from '../../ports/credential-verifier.ts';
import { type GuardedHttpOptions, guardedHttp } from './guarded-http.ts';
import { requestClientCredentials } from './oauth2-token-client.ts';
import { fromHttpResponse, fromNetworkError, fromTokenOutcome } from './verification-outcomes.ts';

/**
 * A connected provider's token, shown to the provider's own userinfo endpoint (from the
 * descriptor, never from the credential). It never refreshes here: the refresh token was just
 * issued, and only the single-flight refresh presents it.
 */
export const verifyProviderToken = async (
  provider: OAuth2Provider,
  values: FieldValues,
  secrets: FieldValues,
  options: GuardedHttpOptions,
): Promise<VerificationResult> => {
  if (!provider.userinfo) {
    return { outcome: 'unverified', detail: 'the provider has no userinfo endpoint to verify tokens with' };
  }
  try {
    const response = await guardedHttp(
      {
        method: 'GET',
        url: provider.userinfo.url,
        headers: {
          accept: 'application/json',
          ...provider.userinfo.headers,
          authorization: `Bearer ${String(values.accessToken)}`,
        },
      },
      options,
    );
    if (response.status >= 200 && response.status < 300) {
      const accountName = accountNameOf(response.body);
      return { outcome: 'verified', ...(accountName ? { accountName } : {}) };
    }
    return fromHttpResponse(response, secrets, values);
  } catch (error) {
    return fromNetworkError(error);
  }
};

/**
 * The account a userinfo answer names, as a person knows it: an email, a login, a username, a
 * name. Only a short, printable string is taken; anything else names nobody.
 */
const accountNameOf = (body: string): string | undefined => {
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  for (const claim of ['email', 'login', 'preferred_username', 'name']) {
    const value = claims[claim];
    if (typeof value === 'string' && /^[^\p{C}]{1,100}$/u.test(value.trim())) return value.trim();
  }
  return undefined;
};

/** A client-credentials component is proved by getting a token, at the descriptor's token URL. */
export const verifyClientCredentials = async (
  provider: OAuth2Provider,
  values: FieldValues,
  secrets: FieldValues,
  options: GuardedHttpOptions,
  now: Date,
): Promise<VerificationResult> => {
  try {
    const outcome = await requestClientCredentials(
      {
        tokenUrl: provider.tokenUrl,
        clientId: String(values.clientId),
        clientSecret: String(values.clientSecret),
        authMethod: provider.tokenEndpointAuthMethod ?? 'client_secret_basic',
      },
      values.scope === undefined ? provider.scopes.join(' ') : String(values.scope),
      options,
      now,
    );
    if (outcome.kind === 'refreshed') return { outcome: 'verified' };
    return fromTokenOutcome(outcome, secrets, values);
  } catch (error) {
    return fromNetworkError(error);
  }
};
