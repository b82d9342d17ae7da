import type { FieldValues } from '../../domain/credential-fields.ts';
import { applyTokens } from '../../domain/oauth2-tokens.ts';
import type { VerificationResult } from '../../ports/credential-verifier.ts';
import { type GuardedHttpOptions, guardedHttp } from './guarded-http.ts';
import { refreshAccessToken } from './oauth2-token-client.ts';
import { fromHttpResponse, fromNetworkError, fromTokenOutcome } from './verification-outcomes.ts';

/**
 * With a refresh token and a client: a refresh proves both work, and the fresh tokens are what gets
 * stored (a rotating provider has just invalidated the old refresh token). Otherwise the access
 * token is shown to the userinfo endpoint. With neither, the credential cannot be verified.
 */
export const verifyOAuth2 = async (
  values: FieldValues,
  secrets: FieldValues,
  options: GuardedHttpOptions,
  now: Date,
  mayRefresh = true,
): Promise<VerificationResult> => {
  try {
    if (values.refreshToken !== undefined && mayRefresh) {
      const outcome = await refreshAccessToken(values, options, now);
      if (outcome.kind === 'refreshed')
        return { outcome: 'verified', updatedValues: applyTokens(values, outcome.tokens) };
      return fromTokenOutcome(outcome, secrets, values);
    }
    if (values.userinfoUrl !== undefined) {
      const response = await guardedHttp(
        {
          method: 'GET',
          url: String(values.userinfoUrl),
          headers: { authorization: `Bearer ${String(values.accessToken)}`, accept: 'application/json' },
        },
        options,
      );
      if (response.status >= 200 && response.status < 300) return { outcome: 'verified' };
      return fromHttpResponse(response, secrets, values);
    }
  } catch (error) {
    return fromNetworkError(error);
  }
  return {
    outcome: 'unverified',
    detail: mayRefresh
      ? 'no refresh token or userinfo URL to verify the credential with'
      : 'no userinfo URL to verify with; the stored refresh token is only presented by the single-flight refresh',
  };
};
