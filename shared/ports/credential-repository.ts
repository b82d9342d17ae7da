import type { AuditEntry } from '../domain/audit.ts';
import type { AttentionKind, Credential } from '../domain/credential.ts';
import type { CredentialUsage, Flow } from '../domain/flow.ts';

export interface IdempotencyRecord {
  readonly key: string;
  readonly requestHash: string;
  readonly expiresAt: string;
}

export type CreateOutcome =
  | { readonly kind: 'created' }
  /** The Idempotency-Key was used before for the same request: the earlier credential. */
  | { readonly kind: 'replayed'; readonly credential: Credential };

/** Names one audit record of a credential (opaque to use cases). */
export type AuditRecordId = string;

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface ListQuery {
  readonly componentId?: string;
  /** Names that start with this (case and width folded), in name order. */
  readonly name?: string;
  /** Only credentials that need attention for this reason: a sparse index. */
  readonly status?: AttentionKind;
  readonly limit: number;
  readonly cursor?: string;
}

export interface CredentialChanges {
  /** Set by a person's edit (the next edit version); otherwise the current one is kept. */
  readonly editVersion?: number;
  readonly name?: string | null;
  readonly fields?: Credential['fields'];
  readonly secretFieldsSet?: readonly string[];
  readonly secretVersionId?: string;
  readonly status?: Credential['status'];
  readonly statusReason?: string | null;
  readonly lastVerifiedAt?: string | null;
  readonly checkDueAt?: string | null;
  readonly healthFailures?: number;
  readonly expiryWarnedFor?: string | null;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export interface DeleteRequest {
  readonly tenantId: string;
  readonly credentialId: string;
  readonly componentId: string;
  /** The delete only happens while the version is one of these (never empty); absent: any version. */
  readonly acceptedVersions?: readonly number[];
  /**
   * The inactive flows that reference the credential, as read just before. The delete happens only
   * while no active flow uses it and exactly these flows reference it (its `flowCount`); each is
   * marked, in the same transaction, as having steps whose credential is missing.
   */
  readonly inactiveFlowIds: readonly string[];
}

/**
 * Every change is written together with its audit record, in one transaction: the audit trail
 * cannot miss a change, and lifecycle events are published from it (an outbox).
 */
export interface CredentialRepository {
  create(
    credential: Credential,
    idempotency: IdempotencyRecord | undefined,
    audit: AuditEntry,
  ): Promise<CreateOutcome>;
  get(tenantId: string, credentialId: string): Promise<Credential | null>;
  list(tenantId: string, query: ListQuery): Promise<Page<Credential>>;
  /** Conditional on `current.version`; returns the updated credential. */
  /** With its audit records in the same transaction: one, several, or none (a routine check). */
  update(
    current: Credential,
    changes: CredentialChanges,
    audit: AuditEntry | readonly AuditEntry[],
  ): Promise<Credential>;
  /** One conditional transaction: refuses while any flow references the credential. */
  delete(request: DeleteRequest, audit: AuditEntry): Promise<void>;
  /** A consistent snapshot of a flow and a credential it may use (one TransactGetItems). */
  getWithFlow(
    tenantId: string,
    flowId: string,
    credentialId: string,
  ): Promise<{ flow: Flow | null; credential: Credential | null }>;
  /** Due for a scheduled check at `now`, earliest first; `last` resumes the next page. */
  listDue(
    tenantId: string,
    now: Date,
    limit: number,
    after?: string,
  ): Promise<{ items: Credential[]; last?: string }>;
  /**
   * Makes the credential due for a check now, at most once per `windowMs` for one version of it (a
   * workflow reported the API refused it). False when a report about this version within the window
   * already did; nothing else changes.
   */
  requestCheck(
    tenantId: string,
    credentialId: string,
    version: number,
    now: Date,
    windowMs: number,
  ): Promise<boolean>;
  /** Records something that is not a change (a refusal, a report). */
  appendAudit(entry: AuditEntry): Promise<void>;
  /**
   * Writes a step's audit record only while the flow is active and its step uses the credential
   * (and, with `credentialVersion`, while the credential is still that version), in one conditional
   * write: the authorization of that moment. Undefined (and nothing written) when that no longer
   * holds; otherwise the record's id, to complete it once its outcome is known.
   */
  appendAuditIfStepUses(
    entry: AuditEntry,
    use: { flowId: string; stepId: string; credentialVersion?: number },
  ): Promise<AuditRecordId | undefined>;
  /** Sets the outcome of a record written before it was known (a proxied request, once answered). */
  completeAudit(
    entry: Pick<AuditEntry, 'tenantId' | 'credentialId'>,
    recordId: AuditRecordId,
    outcome: Pick<AuditEntry, 'detail' | 'request'>,
  ): Promise<void>;
  listAudit(
    tenantId: string,
    credentialId: string,
    query: { limit: number; cursor?: string },
  ): Promise<Page<AuditEntry>>;
  countByComponent(tenantId: string): Promise<Record<string, number>>;
  /** Which of these credentials have an item (BatchGetItem: up to 100 per call). */
  existingIds(tenantId: string, credentialIds: readonly string[]): Promise<Set<string>>;
  /** Where a long pass (the sweeper) stopped, to resume on its next run. */
  sweepPosition(scope: string, pass: string): Promise<string | undefined>;
  saveSweepPosition(scope: string, pass: string, position: string | undefined): Promise<void>;
  usage(tenantId: string, credentialId: string): Promise<CredentialUsage[]>;
}

/** What the functions that only read use: no write, no transaction. */
export type CredentialReads = Pick<
  CredentialRepository,
  'get' | 'list' | 'listAudit' | 'countByComponent' | 'usage'
>;
