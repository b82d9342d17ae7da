import type { FieldValues } from './credential-fields.ts';

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: string;
  /** When the refresh token itself lapses, for providers that say (`refresh_token_expires_in`). */
  readonly refreshTokenExpiresAt?: string;
  readonly scope?: string;
  /** The API base some providers answer with the token (Salesforce's `instance_url`). */
  readonly instanceUrl?: string;
}

/**
 * An OAuth2 credential's fields after a refresh; a missing new refresh token keeps the old one.
 * The API base is kept only by components that declare an `instanceUrl` field.
 */
export const applyTokens = (
  values: FieldValues,
  tokens: IssuedTokens,
  component?: { readonly fields: readonly { readonly name: string }[] },
): FieldValues => ({
  ...withoutStaleRefreshExpiry(values, tokens),
  accessToken: tokens.accessToken,
  ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
  ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
  ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
  ...(tokens.instanceUrl !== undefined && component?.fields.some((field) => field.name === 'instanceUrl')
    ? { instanceUrl: tokens.instanceUrl }
    : {}),
  ...(tokens.refreshTokenExpiresAt !== undefined &&
  component?.fields.some((field) => field.name === 'refreshTokenExpiresAt')
    ? { refreshTokenExpiresAt: tokens.refreshTokenExpiresAt }
    : {}),
});

/** A new refresh token without a stated lifetime does not inherit the old token's. */
const withoutStaleRefreshExpiry = (values: FieldValues, tokens: IssuedTokens): FieldValues => {
  if (tokens.refreshToken === undefined || tokens.refreshTokenExpiresAt !== undefined) return values;
  const { refreshTokenExpiresAt: _stale, ...rest } = values;
  return rest;
};

const httpsUrl = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length <= 2048 && /^https:\/\/[^\s/?#@]+$/.test(value.replace(/\/$/, ''))
    ? value.replace(/\/$/, '')
    : undefined;

/** What a token endpoint's answer means, decided once and the same way everywhere. */
export type TokenAnswer =
  | { readonly kind: 'tokens'; readonly tokens: IssuedTokens }
  /** A 4xx with an OAuth2 error code (RFC 6749 §5.2): the provider refused what was presented. */
  | { readonly kind: 'refused'; readonly error: string }
  /** 5xx, 429 or another status without an OAuth2 error: the provider could not answer now. */
  | { readonly kind: 'unavailable'; readonly status: number }
  /** A 200 that carries no usable access token (truncated, empty, not JSON). */
  | { readonly kind: 'unusable' };

const OAUTH_ERROR_CODES = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
]);

/** A provider that omits `expires_in` (or sends nonsense) gets this lifetime: no refresh storm. */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
const MAX_TOKEN_LIFETIME_SECONDS = 365 * 86_400;
const MAX_TOKEN_LENGTH = 32_768;

/**
 * `expires_in` as the provider meant it: 0 or less is "already expired" (used once, never cached,
 * refreshed on the next call), a short lifetime is kept as it is; only an absent or non-numeric
 * value falls back to the default.
 */
const lifetimeSeconds = (raw: unknown): number => {
  const seconds = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return DEFAULT_TOKEN_LIFETIME_SECONDS;
  return Math.min(Math.max(Math.floor(seconds), 0), MAX_TOKEN_LIFETIME_SECONDS);
};

/** `refresh_token_expires_in` when it is a sensible lifetime; anything else says nothing. */
const positiveSeconds = (raw: unknown): number | undefined => {
  const seconds = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0
    ? Math.min(Math.floor(seconds), 10 * MAX_TOKEN_LIFETIME_SECONDS)
    : undefined;
};

const token = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_TOKEN_LENGTH ? value : undefined;

/**
 * Reads a token endpoint's raw answer. Total: it never throws, whatever the provider sent, because
 * once the provider may have rotated the refresh token an exception here would lose the new one.
 */
export const interpretTokenResponse = (status: number, body: string, now: Date): TokenAnswer => {
  let parsed: Record<string, unknown> = {};
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value === 'object' && value !== null && !Array.isArray(value))
      parsed = value as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  if (status === 200) {
    const accessToken = token(parsed.access_token);
    if (!accessToken) return { kind: 'unusable' };
    const refreshToken = token(parsed.refresh_token);
    const scope = typeof parsed.scope === 'string' && parsed.scope.length <= 2048 ? parsed.scope : undefined;
    const instanceUrl = httpsUrl(parsed.instance_url);
    const refreshSeconds = positiveSeconds(parsed.refresh_token_expires_in);
    return {
      kind: 'tokens',
      tokens: {
        accessToken,
        ...(refreshToken === undefined ? {} : { refreshToken }),
        expiresAt: new Date(now.getTime() + lifetimeSeconds(parsed.expires_in) * 1000).toISOString(),
        ...(scope === undefined ? {} : { scope }),
        ...(instanceUrl === undefined ? {} : { instanceUrl }),
        ...(refreshToken === undefined || refreshSeconds === undefined
          ? {}
          : { refreshTokenExpiresAt: new Date(now.getTime() + refreshSeconds * 1000).toISOString() }),
      },
    };
  }
  if (status >= 400 && status < 500 && status !== 429 && typeof parsed.error === 'string')
    // Only the codes RFC 6749 §5.2 defines are kept: the provider's free text never becomes a
    // status reason (it could echo what it received).
    return {
      kind: 'refused',
      error: OAUTH_ERROR_CODES.has(parsed.error) ? parsed.error : 'token_endpoint_error',
    };
  return { kind: 'unavailable', status };
};
