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

/** Calls an OAuth2 credential's token endpoint with the refresh_token grant. */
export interface TokenRefresher {
  exchange(values: FieldValues, timeoutMs: number): Promise<TokenExchange>;
}
