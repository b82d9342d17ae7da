import type { FieldValues } from '../domain/credential-fields.ts';

export interface TokenResponse {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: string;
  readonly scope?: string;
}

export type RefreshOutcome =
  | { readonly kind: 'refreshed'; readonly tokens: TokenResponse }
  | { readonly kind: 'rejected'; readonly error: string; readonly status: number; readonly excerpt: string }
  | { readonly kind: 'failed'; readonly status: number; readonly excerpt: string };

/** Calls an OAuth2 component's token endpoint with the refresh_token grant. */
export interface TokenRefresher {
  refresh(values: FieldValues, now: Date): Promise<RefreshOutcome>;
}
