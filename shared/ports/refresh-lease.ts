/**
 * A single-flight lease per credential, held in DynamoDB so it works across Lambda containers:
 * only its holder may call the token endpoint, so a rotating refresh token is used exactly once.
 */
export interface RefreshLease {
  /** Takes the lease unless someone else holds an unexpired one. */
  acquire(
    tenantId: string,
    credentialId: string,
    owner: string,
    now: Date,
    durationMs: number,
  ): Promise<{ acquired: boolean; generation: number }>;
  /** Gives it back early; only the holder of that generation can. */
  release(tenantId: string, credentialId: string, owner: string, generation: number): Promise<void>;
}
