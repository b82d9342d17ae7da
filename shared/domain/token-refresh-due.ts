/**
 * When an access token is refreshed: once a quarter of its lifetime is left, and never earlier
 * than the configured margin (5 minutes by default) before it expires. A fixed margin alone would
 * refresh a token living less than the margin on every call (Keycloak's default is 5 minutes);
 * proportional, a 60 s token is refreshed about once a minute.
 */
export const REFRESH_WHEN_LEFT = 0.25;

export const refreshMarginFor = (lifetimeMs: number, maxMarginMs: number): number =>
  Math.min(maxMarginMs, Math.max(0, lifetimeMs) * REFRESH_WHEN_LEFT);

/**
 * The moment a token obtained at `obtainedAt` and expiring at `expiresAt` is due for refresh (both
 * epoch ms). A token that came expired (`expires_in` ≤ 0) is due at once.
 */
export const refreshDueAt = (expiresAt: number, obtainedAt: number, maxMarginMs: number): number =>
  expiresAt - refreshMarginFor(expiresAt - obtainedAt, maxMarginMs);
