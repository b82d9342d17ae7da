/** What happened to a credential, by whom, when. Never a value. */
export const AUDIT_ACTIONS = [
  'created',
  'updated',
  'deleted',
  'verified',
  'invalidated',
  'unreachable',
  'recovered',
  'expiring',
  'refreshed',
  'replaced',
  'resolved',
  'proxied',
  'reported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  readonly tenantId: string;
  readonly credentialId: string;
  readonly componentId: string;
  readonly action: AuditAction;
  /** The credential's name when it happened, for the people an event reaches. */
  readonly credentialName?: string;
  /** The flows it affected, when the change knows them (a replace's moved flows). */
  readonly flows?: readonly AuditedFlow[];
  /** The user (token subject) or workflow (direct invocation actor) that caused it. */
  readonly actor: string;
  readonly at: string;
  readonly flowId?: string;
  readonly stepId?: string;
  readonly executionId?: string;
  /** A reason code or short explanation; never a secret. */
  readonly detail?: string;
  /** A proxied request: its method, its path (no query), the answer's status and how long it took. */
  readonly request?: AuditedRequest;
}

export interface AuditedFlow {
  readonly flowId: string;
  readonly flowName: string;
  /** As it was at the change. */
  readonly flowStatus?: 'active' | 'inactive';
}

export interface AuditedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
}

/** Audit records are kept this long, then DynamoDB's TTL removes them. */
export const AUDIT_RETENTION_DAYS = 90;

export const auditEntry = (
  actor: { tenantId: string; subject: string },
  credential: { id: string; componentId: string; name?: string | null },
  action: AuditAction,
  at: Date,
  extra: Pick<AuditEntry, 'flowId' | 'stepId' | 'executionId' | 'detail' | 'request' | 'flows'> = {},
): AuditEntry => ({
  tenantId: actor.tenantId,
  credentialId: credential.id,
  componentId: credential.componentId,
  ...(typeof credential.name === 'string' ? { credentialName: credential.name } : {}),
  action,
  actor: actor.subject,
  at: at.toISOString(),
  ...extra,
});

/** A flow turned on or off: recorded in the transaction that does it, and published as an event. */
export interface FlowAuditEntry {
  readonly tenantId: string;
  readonly flowId: string;
  readonly flowName: string;
  readonly action: 'flow_activated' | 'flow_deactivated';
  readonly actor: string;
  readonly at: string;
  /** The credentials its steps use. */
  readonly credentials: readonly { readonly credentialId: string; readonly componentId: string }[];
}
