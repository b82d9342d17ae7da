/**
 * Timing of the single-flight refresh. The lease outlives the token call plus both stores plus the
 * clock skew allowed between containers, so nobody else can start while a holder may still write.
 */
export interface RefreshSettings {
  /** The token endpoint's timeout. */
  readonly tokenTimeoutMs: number;
  /** What one store (a Secrets Manager version, the DynamoDB transaction) may take, retries included. */
  readonly storeBudgetMs: number;
  readonly clockSkewMs: number;
  /** How long a caller waits for another holder's refresh before answering `upstream_unavailable`. */
  readonly leaseWaitMs: number;
  /** After the provider answers 5xx or 429: nobody calls it again for this long. */
  readonly backoffMs: number;
  /**
   * Refreshes that store a Secrets Manager version, at most, in any one second, unless a token
   * has expired. Secrets Manager's write calls share 50 a second across the account and Region;
   * the deployments of one account share that between them, with room for creates and edits.
   */
  readonly secretWritesPerSecond: number;
}

export const DEFAULT_REFRESH_SETTINGS: RefreshSettings = {
  tokenTimeoutMs: 5000,
  storeBudgetMs: 3000,
  clockSkewMs: 2000,
  leaseWaitMs: 12_000,
  backoffMs: 5000,
  secretWritesPerSecond: 35,
};

/**
 * An access token with less than this left is refreshed whatever the write budget says: one that
 * still works longer is served as it is when the second's writes are spent, and refreshed later.
 */
export const EARLY_REFRESH_FLOOR_MS = 60_000;

export const leaseDurationMs = (settings: RefreshSettings): number =>
  settings.tokenTimeoutMs + 3 * settings.storeBudgetMs + settings.clockSkewMs;

/** The longest a refresh can keep a caller: waiting for one holder, then holding the lease itself. */
export const refreshTimeBudgetMs = (settings: RefreshSettings): number =>
  settings.leaseWaitMs + leaseDurationMs(settings);

/** One token revocation call's timeout (RFC 7009): best effort, so short. */
export const REVOCATION_TIMEOUT_MS = 3000;
