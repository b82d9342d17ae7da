import type { FieldValues } from './credential-fields.ts';

export type CredentialStatus = 'unverified' | 'verified' | 'invalid' | 'unreachable';

/** What DynamoDB holds about a credential. Secret values are never part of it. */
export interface Credential {
  readonly tenantId: string;
  readonly id: string;
  readonly componentId: string;
  readonly name: string | null;
  readonly fields: FieldValues;
  /** Names of secret fields that have a value in Secrets Manager. */
  readonly secretFieldsSet: readonly string[];
  readonly secretVersionId: string;
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly lastVerifiedAt: string | null;
  /** When the scheduled re-verification checks it next; null or absent: never. */
  readonly checkDueAt?: string | null;
  /** Scheduled checks that failed in a row (unreachable), for the back-off. */
  readonly healthFailures?: number;
  /** The declared expiry already warned of (`credential.expiring` is sent once per expiry). */
  readonly expiryWarnedFor?: string | null;
  /** Moves with every write: what the service's own conditional writes (checks, refreshes) compare. */
  readonly version: number;
  /**
   * Moves only when what people edit changes (name, fields, secrets): the credential's ETag and
   * public `version`, so a scheduled check or a refresh never makes a person's edit fail. Absent on
   * items written before it existed: `version` stands for it until their next write.
   */
  readonly editVersion?: number;
  /** Active flows that use the credential (what the UI shows). */
  readonly activeFlowCount: number;
  /** All flows, active or not, that reference the credential; delete needs it to be 0. */
  readonly flowCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly createdBy: string;
  readonly updatedBy: string;
}

/**
 * What a credential is called when nobody named it: the component and, where the provider told
 * who the account is, that account ("GitHub · octocat"); otherwise "<component> account".
 */
export const defaultCredentialName = (componentName: string, accountName?: string): string =>
  accountName ? `${componentName} · ${accountName}` : `${componentName} account`;

/**
 * Why a credential needs a person, worst first: refused, not reachable, never checked, or its
 * declared expiry is within its warning days (it still works, but not for long).
 */
export const ATTENTION_KINDS = ['invalid', 'unreachable', 'unverified', 'expiring'] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

export const attentionOf = (
  credential: Pick<Credential, 'status' | 'expiryWarnedFor'>,
): AttentionKind | undefined =>
  credential.status !== 'verified' ? credential.status : credential.expiryWarnedFor ? 'expiring' : undefined;

/** The version a person's If-Match is compared with, and the ETag they are given. */
export const editVersionOf = (credential: Pick<Credential, 'version' | 'editVersion'>): number =>
  credential.editVersion ?? credential.version;

/** The public view: everything a client may see. */
export const toCredentialView = (credential: Credential) => ({
  id: credential.id,
  componentId: credential.componentId,
  name: credential.name,
  fields: credential.fields,
  secretFieldsSet: credential.secretFieldsSet,
  status: credential.status,
  statusReason: credential.statusReason,
  lastVerifiedAt: credential.lastVerifiedAt,
  /** The declared expiry once it is within its warning days (`credential.expiring` was sent). */
  expiresSoonAt: credential.expiryWarnedFor ?? null,
  version: editVersionOf(credential),
  activeFlowCount: credential.activeFlowCount,
  flowCount: credential.flowCount,
  createdAt: credential.createdAt,
  updatedAt: credential.updatedAt,
  createdBy: credential.createdBy,
  updatedBy: credential.updatedBy,
});
export type CredentialView = ReturnType<typeof toCredentialView>;
