import * as z from 'zod/mini';
import type { AuditAction, AuditEntry, FlowAuditEntry } from './audit.ts';

/** The `source` of every event the service publishes. */
export const EVENT_SOURCE = 'credentials-service';

/** Each published action's `detail-type`, and when it is sent: the catalogue docs/events.md lists. */
export const EVENT_TYPES = {
  created: 'A credential was created (saved after its dry request, or connected with OAuth2).',
  updated:
    'A credential was renamed or its fields or secrets changed (`reason` names what: `name`, field names; never a value).',
  deleted: 'A credential was deleted; its secret is scheduled for deletion.',
  verified: 'A re-verification succeeded (`reason` is null).',
  invalidated:
    'A credential became invalid: its provider refused it, its refresh token was refused, or its secret is gone (`reason`).',
  unreachable:
    'A check could not reach the credential’s API or token endpoint (timeout, 5xx): it is not invalid, and is retried with back-off. Sent once per outage.',
  recovered:
    'A credential that was invalid or unreachable works again (a check passed, or its secrets were replaced).',
  expiring:
    'A credential’s declared expiry (its component’s expiry field; `reason` holds the date) is within the warning days: sent once per expiry.',
  refreshed: 'An OAuth2 access token was refreshed (by a flow step, the proxy or a re-verification).',
  replaced: 'Flows were moved from this credential to another (`replacementId`); `flows` are the ones moved.',
} as const satisfies Partial<Record<AuditAction, string>>;
export type EventAction = keyof typeof EVENT_TYPES;

export const detailTypeOf = (action: EventAction): string => `credential.${action}`;

const FlowOfEvent = z.object({
  flowId: z.string(),
  flowName: z.string(),
  flowStatus: z.enum(['active', 'inactive']),
});

/** The `detail` of every event: who and what, the flows it affects, never a value. */
export const LifecycleEventDetail = z.object({
  tenantId: z.string(),
  credentialId: z.string(),
  credentialName: z.nullable(z.string()),
  componentId: z.string(),
  action: z.enum(Object.keys(EVENT_TYPES) as [EventAction, ...EventAction[]]),
  /** The user (token subject) or workflow (`iam-asserted:` actor) that caused it. */
  actor: z.string(),
  at: z.iso.datetime(),
  /** A reason code (`invalid_credentials`, `refresh_token_not_returned`, `secret_missing`…) or null. */
  reason: z.nullable(z.string()),
  /** The flows that use the credential when the event is published, or that the change moved. */
  flows: z.array(FlowOfEvent),
  /** The flow step whose call caused it (a refresh during a resolve or a proxied call). */
  cause: z.optional(z.object({ flowId: z.string(), stepId: z.string(), executionId: z.string() })),
  /** `replaced`: the credential the flows now use. */
  replacementId: z.optional(z.string()),
});
export type LifecycleEventDetail = z.infer<typeof LifecycleEventDetail>;

/** Flows turned on or off: what their credentials' owners and the platform may act on. */
export const FLOW_EVENT_TYPES = {
  flow_activated:
    'A flow became active (created active, or activated): its steps may now use their credentials.',
  flow_deactivated: 'A flow stopped being active (deactivated, or deleted while active).',
} as const satisfies Record<FlowAuditEntry['action'], string>;
export type FlowEventAction = keyof typeof FLOW_EVENT_TYPES;
export const flowDetailTypeOf = (action: FlowEventAction): string =>
  `flow.${action === 'flow_activated' ? 'activated' : 'deactivated'}`;

export const FlowEventDetail = z.object({
  tenantId: z.string(),
  flowId: z.string(),
  flowName: z.string(),
  action: z.enum(Object.keys(FLOW_EVENT_TYPES) as [FlowEventAction, ...FlowEventAction[]]),
  actor: z.string(),
  at: z.iso.datetime(),
  /** The credentials its steps use. */
  credentials: z.array(z.object({ credentialId: z.string(), componentId: z.string() })),
});
export type FlowEventDetail = z.infer<typeof FlowEventDetail>;

/** An event as PutEvents takes it. */
export interface LifecycleEvent {
  readonly source: typeof EVENT_SOURCE;
  readonly detailType: string;
  readonly time: string;
  /** The credential's identifier (`credentials-service:<tenant>:credential/<id>`), or the flow's and its credentials'. */
  readonly resources: readonly string[];
  readonly detail: LifecycleEventDetail | FlowEventDetail;
}

export const flowResource = (tenantId: string, flowId: string): string =>
  `credentials-service:${tenantId}:flow/${flowId}`;

export const flowEventOf = (entry: FlowAuditEntry): LifecycleEvent => ({
  source: EVENT_SOURCE,
  detailType: flowDetailTypeOf(entry.action),
  time: entry.at,
  resources: [
    flowResource(entry.tenantId, entry.flowId),
    ...entry.credentials.map((credential) => credentialResource(entry.tenantId, credential.credentialId)),
  ],
  detail: {
    tenantId: entry.tenantId,
    flowId: entry.flowId,
    flowName: entry.flowName,
    action: entry.action,
    actor: entry.actor,
    at: entry.at,
    credentials: entry.credentials.map(({ credentialId, componentId }) => ({ credentialId, componentId })),
  },
});

export const credentialResource = (tenantId: string, credentialId: string): string =>
  `credentials-service:${tenantId}:credential/${credentialId}`;

export const isEventAction = (action: AuditAction): action is EventAction => action in EVENT_TYPES;

/** The event of an audit record, with the flows it affects. */
export const lifecycleEventOf = (
  entry: AuditEntry & { action: EventAction },
  flows: LifecycleEventDetail['flows'],
): LifecycleEvent => ({
  source: EVENT_SOURCE,
  detailType: detailTypeOf(entry.action),
  time: entry.at,
  resources: [credentialResource(entry.tenantId, entry.credentialId)],
  detail: {
    tenantId: entry.tenantId,
    credentialId: entry.credentialId,
    credentialName: entry.credentialName ?? null,
    componentId: entry.componentId,
    action: entry.action,
    actor: entry.actor,
    at: entry.at,
    reason: entry.action === 'replaced' ? null : (entry.detail ?? null),
    flows,
    ...(entry.flowId && entry.stepId && entry.executionId
      ? { cause: { flowId: entry.flowId, stepId: entry.stepId, executionId: entry.executionId } }
      : {}),
    ...(entry.action === 'replaced' && entry.detail ? { replacementId: entry.detail } : {}),
  },
});
