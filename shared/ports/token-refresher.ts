import type { FieldValues } from '../domain/credential-fields.ts';
import type { IssuedTokens } from '../domain/oauth2-tokens.ts';

export type TokenResponse = IssuedTokens;

/** Verification's reading of a refresh (before anything is stored). */
export type RefreshOutcome =
  | { readonly kind: 'refreshed'; readonly tokens: TokenResponse }
  | { readonly kind: 'rejected'; readonly error: string; readonly status: number; readonly excerpt: string }
  | { readonly kind: 'failed'; readonly status: number; readonly excerpt: string };

/**
 * One refresh_token exchange as the network saw it. `unknown`: the request may have reached the
 * provider (a timeout or reset after it was written), so the refresh token may be spent.
 */
export type TokenExchange =
  | {
      readonly kind: 'answered';
      readonly status: number;
      readonly body: string;
      readonly retryAfterSeconds?: number;
    }
  | { readonly kind: 'not_sent'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly detail: string };

/** The client a token request authenticates as, and how (RFC 6749 §2.3.1). */
export interface TokenClient {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** Calls a token endpoint: the refresh, authorization-code and client-credentials grants. */
export interface TokenRefresher {
  /** The refresh_token grant with the credential's own values (tokenUrl, clientId, refreshToken…). */
  exchange(values: FieldValues, timeoutMs: number): Promise<TokenExchange>;
  /** The authorization_code grant (RFC 6749 §4.1.3), with the PKCE verifier (RFC 7636 §4.5). */
  exchangeCode(
    client: TokenClient,
    grant: { code: string; redirectUri: string; codeVerifier?: string },
    timeoutMs: number,
  ): Promise<TokenExchange>;
  /**
   * Token revocation (RFC 7009) at the provider's revocation endpoint, authenticated as the
   * client. True when the provider answered 200 (which it also does for a token already invalid).
   */
  revoke(
    client: TokenClient & { readonly revocationUrl: string },
    token: { readonly value: string; readonly hint: 'refresh_token' | 'access_token' },
    timeoutMs: number,
  ): Promise<boolean>;
  /** The client_credentials grant (RFC 6749 §4.4). */
  clientCredentials(
    client: TokenClient,
    scope: string | undefined,
    timeoutMs: number,
  ): Promise<TokenExchange>;
}
