import type { FieldValues } from '../../domain/credential-fields.ts';
import { interpretTokenResponse } from '../../domain/oauth2-tokens.ts';
import type { RefreshOutcome, TokenExchange, TokenRefresher } from '../../ports/token-refresher.ts';
import { type GuardedHttpOptions, guardedHttp, requestMayHaveBeenSent } from './guarded-http.ts';

/**
 * The refresh_token grant (RFC 6749 §6) against the credential's token endpoint, with client
 * authentication by HTTP Basic when a client secret is set.
 */
const refreshRequest = (values: FieldValues) => {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: String(values.refreshToken ?? ''),
  });
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (values.clientSecret !== undefined) {
    const id = encodeURIComponent(String(values.clientId));
    const secret = encodeURIComponent(String(values.clientSecret));
    headers.authorization = `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  } else {
    form.set('client_id', String(values.clientId));
  }
  if (values.scope !== undefined) form.set('scope', String(values.scope));
  return { method: 'POST', url: String(values.tokenUrl), headers, body: form.toString() };
};

/** For verification before saving: the answer, read; network errors are the caller's to classify. */
export const refreshAccessToken = async (
  values: FieldValues,
  options: GuardedHttpOptions,
  now: Date,
): Promise<RefreshOutcome> => {
  const response = await guardedHttp(refreshRequest(values), options);
  const answer = interpretTokenResponse(response.status, response.body, now);
  if (answer.kind === 'tokens') return { kind: 'refreshed', tokens: answer.tokens };
  if (answer.kind === 'refused')
    return { kind: 'rejected', error: answer.error, status: response.status, excerpt: response.body };
  return { kind: 'failed', status: response.status, excerpt: response.body };
};

const retryAfterSeconds = (header: string | string[] | undefined): number | undefined => {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
};

/**
 * The token refresher resolve uses: it reports the raw answer (to be stored before it is read) and
 * whether a failed request may have reached the provider.
 */
export const guardedTokenRefresher = (options: GuardedHttpOptions): TokenRefresher => ({
  async exchange(values, timeoutMs): Promise<TokenExchange> {
    try {
      const response = await guardedHttp(refreshRequest(values), { ...options, timeoutMs });
      const retryAfter = retryAfterSeconds(response.headers['retry-after']);
      return {
        kind: 'answered',
        status: response.status,
        body: response.body,
        ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
      };
    } catch (error) {
      const name = (error as { code?: string; name?: string }).code ?? (error as Error).name ?? 'error';
      return requestMayHaveBeenSent(error)
        ? { kind: 'unknown', detail: String(name) }
        : { kind: 'not_sent', detail: String(name) };
    }
  },
});
