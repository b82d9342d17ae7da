import type { AuditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import type { CredentialChanges } from './credential-repository.ts';

/**
 * What the lease item remembers between holders: the last refresh attempt (which refresh token,
 * by its hash, and how it ended) and a back-off after a provider outage.
 */
export interface LeaseState {
  readonly generation: number;
  readonly leaseUntil: number;
  /** `sent`: presented, answer not (yet) stored; `retryable`: the provider answered 5xx/429. */
  readonly attemptState?: 'sent' | 'retryable' | 'done';
  /** The secret version whose refresh token the attempt presented. */
  readonly attemptVersion?: string;
  readonly backoffUntil?: number;
}

export interface LeaseHolding {
  readonly tenantId: string;
  readonly credentialId: string;
  readonly owner: string;
  readonly generation: number;
  readonly until: number;
  /** The state as this holder found it. */
  readonly state: LeaseState;
}

export type CommitOutcome =
  | 'committed'
  /** The lease was taken over (it expired): this holder may no longer write. */
  | 'fenced'
  /** The credential no longer points at the secret version the refresh started from. */
  | 'superseded';

/**
 * A single-flight lease per credential, held in DynamoDB so it works across Lambda containers:
 * only its holder may call the token endpoint, and its writes are fenced by owner and generation,
 * so a holder whose lease expired can never overwrite a newer result.
 */
export interface RefreshLease {
  /** Takes the lease unless someone holds an unexpired one (expired by more than the clock skew). */
  acquire(
    tenantId: string,
    credentialId: string,
    owner: string,
    now: Date,
    durationMs: number,
    clockSkewMs: number,
  ): Promise<{ acquired: true; holding: LeaseHolding } | { acquired: false; state: LeaseState | null }>;
  /** Records the attempt before the call (fenced). False: the lease is no longer ours. */
  recordAttempt(
    holding: LeaseHolding,
    attempt: { state: 'sent' | 'retryable' | 'done'; secretVersionId: string; backoffUntil?: number },
  ): Promise<boolean>;
  /**
   * Extends the holding to `until` (epoch ms), fenced: a holder still storing what the provider
   * answered keeps others from presenting the same refresh token. Undefined: no longer ours.
   */
  renew(holding: LeaseHolding, until: number): Promise<LeaseHolding | undefined>;
  /**
   * Takes one of the second's `perSecond` Secrets Manager writes for the tenant's refreshes (one
   * counter item per second, expiring). False: spent, try again in a later second.
   */
  takeWriteSlot(tenantId: string, now: Date, perSecond: number): Promise<boolean>;
  /** Gives it back early; only the holder of that generation can. */
  release(holding: LeaseHolding): Promise<void>;
  /**
   * The refresh's one write: the credential's changes, its audit record and the lease's release,
   * conditional on still holding the lease and on the credential still using `fromSecretVersionId`.
   */
  commit(
    holding: LeaseHolding,
    credential: Credential,
    fromSecretVersionId: string,
    changes: CredentialChanges,
    audit: AuditEntry,
  ): Promise<CommitOutcome>;
}
