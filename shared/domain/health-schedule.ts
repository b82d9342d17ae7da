import { createHash } from 'node:crypto';
import type { AuditAction } from './audit.ts';
import type { ComponentDefinition } from './component.ts';
import type { CredentialStatus } from './credential.ts';
import type { FieldValues } from './credential-fields.ts';

/** When credentials are checked again after a verification (a deployment setting). */
export interface HealthSchedule {
  /** A healthy credential is re-verified about this long after its last check. @default 24 h */
  readonly intervalMs: number;
}

/** Each credential's interval is stretched or shrunk by up to this fraction, fixed per credential. */
export const JITTER_FRACTION = 0.1;
/** A failing credential is retried after interval / 24, doubling per failure, at most the interval. */
const BACKOFF_DIVISOR = 24;

/** A number in [0, 1) fixed for a credential: an import of 100,000 at once comes due spread out. */
const spreadOf = (credentialId: string): number =>
  createHash('sha256').update(credentialId).digest().readUInt32BE(0) / 2 ** 32;

/** The credential's declared expiry, and when to warn of it, unless it was warned of already. */
export const expiryWarning = (
  component: Pick<ComponentDefinition, 'expiry'>,
  credential: { readonly fields?: FieldValues; readonly expiryWarnedFor?: string | null },
): { expiresAt: string; warnAt: number } | undefined => {
  if (!component.expiry) return undefined;
  const value = credential.fields?.[component.expiry.field];
  const expiresAt = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(expiresAt) || warnedOf(credential.expiryWarnedFor, expiresAt)) return undefined;
  return { expiresAt: String(value), warnAt: expiresAt - component.expiry.warnDays * 86_400_000 };
};

/**
 * The expiry warning a credential keeps after its fields change, as the expiry it now declares:
 * the one given stands while that expiry is the one warned of; a later one (a replaced key, a
 * renewed grant) is warned of afresh, and the credential leaves the needs-attention view until then.
 */
export const carriedExpiryWarning = (
  component: Pick<ComponentDefinition, 'expiry'>,
  warnedFor: string | null | undefined,
  fields: FieldValues,
): string | null => {
  const value = component.expiry ? fields[component.expiry.field] : undefined;
  return typeof value === 'string' && warnedOf(warnedFor, Date.parse(value)) ? value : null;
};

/**
 * A warning covers an expiry no later than the one warned of: a provider that ends a grant on a
 * fixed day restates it with every refresh (to the second, from `expires_in`), and that is the
 * same expiry; a later one (a new key, a renewed grant) is another.
 */
const EXPIRY_SLACK_MS = 3_600_000;
const warnedOf = (warnedFor: string | null | undefined, expiresAt: number): boolean =>
  typeof warnedFor === 'string' && expiresAt <= Date.parse(warnedFor) + EXPIRY_SLACK_MS;

/**
 * When a credential is next checked by the scheduled re-verification, or null when it never is:
 * a component without a dry request, an OAuth2 credential whose refresh token was refused (it
 * needs reconnecting: presenting the refused token again proves nothing), one whose secret is gone.
 * An unreachable one is retried with back-off that scales with the interval.
 */
export const nextCheckAt = (
  component: Pick<ComponentDefinition, 'verification' | 'provider' | 'expiry'>,
  credential: {
    readonly id: string;
    readonly status: CredentialStatus;
    readonly statusReason?: string | null;
    readonly fields?: FieldValues;
    readonly expiryWarnedFor?: string | null;
  },
  checkedAt: Date,
  failures: number,
  schedule: HealthSchedule,
): string | null => {
  const regular = regularCheckAt(component, credential, checkedAt, failures, schedule);
  // A declared expiry not yet warned of brings the check forward to the warning's day.
  const warning = expiryWarning(component, credential);
  if (!warning) return regular;
  const warnAt = new Date(Math.max(checkedAt.getTime(), warning.warnAt)).toISOString();
  return regular === null || warnAt < regular ? warnAt : regular;
};

const regularCheckAt = (
  component: Pick<ComponentDefinition, 'verification' | 'provider'>,
  credential: {
    readonly id: string;
    readonly status: CredentialStatus;
    readonly statusReason?: string | null;
  },
  checkedAt: Date,
  failures: number,
  schedule: HealthSchedule,
): string | null => {
  if (component.verification.kind === 'none' || credential.status === 'unverified') return null;
  if (credential.status === 'invalid' && component.verification.kind === 'oauth2') return null;
  if (credential.statusReason?.startsWith('secret_missing')) return null;
  const keepAliveMs = (component.provider?.keepAliveDays ?? Number.POSITIVE_INFINITY) * 86_400_000;
  const interval = Math.min(schedule.intervalMs, keepAliveMs);
  const delay =
    credential.status === 'unreachable'
      ? Math.min(interval, (interval / BACKOFF_DIVISOR) * 2 ** Math.max(0, failures - 1))
      : interval * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * spreadOf(credential.id));
  return new Date(checkedAt.getTime() + Math.round(delay)).toISOString();
};

/**
 * What a check's outcome is as an event, given the status before it: a change of state is said
 * once (`invalidated`, `unreachable`, `recovered` after a failure only); a routine check that finds
 * what was known says nothing. A check a person asked for always answers with a record.
 */
export const transitionOf = (
  previous: CredentialStatus,
  next: CredentialStatus,
  scheduled: boolean,
): AuditAction | undefined => {
  const failedBefore = previous === 'invalid' || previous === 'unreachable';
  if (next === 'verified') return failedBefore ? 'recovered' : scheduled ? undefined : 'verified';
  if (next === 'invalid') return scheduled && previous === 'invalid' ? undefined : 'invalidated';
  if (next === 'unreachable') return scheduled && previous === 'unreachable' ? undefined : 'unreachable';
  return scheduled ? undefined : 'verified';
};
