import type { FieldValues } from '../../domain/credential-fields.ts';
import type { RefreshOutcome, TokenRefresher } from '../../ports/token-refresher.ts';
import { type GuardedHttpOptions, guardedHttp } from './guarded-http.ts';

/**
 * The refresh_token grant (RFC 6749 §6) against the component's token endpoint, with client
 * authentication by HTTP Basic when a client secret is set.
 */
export const refreshAccessToken = async (
  values: FieldValues,
  options: GuardedHttpOptions,
  now: Date,
): Promise<RefreshOutcome> => {
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
  const response = await guardedHttp(
    { method: 'POST', url: String(values.tokenUrl), headers, body: form.toString() },
    options,
  );
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(response.body) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  if (response.status === 200 && typeof parsed.access_token === 'string') {
    const expiresIn = Number(parsed.expires_in);
    return {
      kind: 'refreshed',
      tokens: {
        accessToken: parsed.access_token,
        ...(typeof parsed.refresh_token === 'string' ? { refreshToken: parsed.refresh_token } : {}),
        ...(Number.isFinite(expiresIn) && expiresIn > 0
          ? { expiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString() }
          : {}),
        ...(typeof parsed.scope === 'string' ? { scope: parsed.scope } : {}),
      },
    };
  }
  if (response.status >= 400 && response.status < 500 && typeof parsed.error === 'string') {
    return { kind: 'rejected', error: parsed.error, status: response.status, excerpt: response.body };
  }
  return { kind: 'failed', status: response.status, excerpt: response.body };
};

/** The token refresher workflows use at run time: same guarded HTTP as verification. */
export const guardedTokenRefresher = (options: GuardedHttpOptions): TokenRefresher => ({
  refresh: (values, now) => refreshAccessToken(values, options, now),
});
