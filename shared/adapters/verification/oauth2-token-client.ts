import type { FieldValues } from '../../domain/credential-fields.ts';
import { interpretTokenResponse } from '../../domain/oauth2-tokens.ts';
import type {
  RefreshOutcome,
  TokenClient,
  TokenExchange,
  TokenRefresher,
} from '../../ports/token-refresher.ts';
import { type GuardedHttpOptions, guardedHttp, requestMayHaveBeenSent } from './guarded-http.ts';

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

/** Client authentication (RFC 6749 §2.3.1): HTTP Basic by default, or in the form body. */
const authenticate = (client: TokenClient, form: URLSearchParams): Record<string, string> => {
  if (client.clientSecret === undefined) {
    form.set('client_id', client.clientId);
    return { ...FORM_HEADERS };
  }
  if (client.authMethod === 'client_secret_post') {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
    return { ...FORM_HEADERS };
  }
  const id = encodeURIComponent(client.clientId);
  const secret = encodeURIComponent(client.clientSecret);
  return { ...FORM_HEADERS, authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` };
};

const tokenRequest = (client: TokenClient, form: URLSearchParams) => {
  const headers = authenticate(client, form);
  return { method: 'POST', url: client.tokenUrl, headers, body: form.toString() };
};

/** The credential's own values as a token client (the generic `oauth2` component, or a provider's injected ones). */
const clientOf = (values: FieldValues): TokenClient => ({
  tokenUrl: String(values.tokenUrl),
  clientId: String(values.clientId),
  ...(values.clientSecret === undefined ? {} : { clientSecret: String(values.clientSecret) }),
  ...(values.tokenEndpointAuthMethod === 'client_secret_post'
    ? { authMethod: 'client_secret_post' as const }
    : {}),
});

/** The refresh_token grant (RFC 6749 §6) against the credential's token endpoint. */
const refreshRequest = (values: FieldValues) => {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: String(values.refreshToken ?? ''),
  });
  if (values.scope !== undefined) form.set('scope', String(values.scope));
  return tokenRequest(clientOf(values), form);
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

/** For verification of a client-credentials component: one token request, read and discarded. */
export const requestClientCredentials = async (
  client: TokenClient,
  scope: string | undefined,
  options: GuardedHttpOptions,
  now: Date,
): Promise<RefreshOutcome> => {
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const response = await guardedHttp(tokenRequest(client, form), options);
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
export const guardedTokenRefresher = (options: GuardedHttpOptions): TokenRefresher => {
  const send = async (
    request: ReturnType<typeof tokenRequest>,
    timeoutMs: number,
  ): Promise<TokenExchange> => {
    try {
      const response = await guardedHttp(request, { ...options, timeoutMs });
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
  };
  return {
    exchange: (values, timeoutMs) => send(refreshRequest(values), timeoutMs),
    exchangeCode: (client, grant, timeoutMs) => {
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code: grant.code,
        redirect_uri: grant.redirectUri,
      });
      if (grant.codeVerifier !== undefined) form.set('code_verifier', grant.codeVerifier);
      return send(tokenRequest(client, form), timeoutMs);
    },
    revoke: async (client, token, timeoutMs) => {
      const form = new URLSearchParams({ token: token.value, token_type_hint: token.hint });
      const request = { ...tokenRequest(client, form), url: client.revocationUrl };
      const answer = await send(request, timeoutMs);
      return answer.kind === 'answered' && answer.status === 200;
    },
    clientCredentials: (client, scope, timeoutMs) => {
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (scope) form.set('scope', scope);
      return send(tokenRequest(client, form), timeoutMs);
    },
  };
};
