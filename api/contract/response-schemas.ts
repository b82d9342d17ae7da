import * as z from 'zod/mini';
import type { AuditEntry } from '../../shared/domain/audit.ts';
import { AUDIT_ACTIONS } from '../../shared/domain/audit.ts';
import type { ConnectSessionView } from '../../shared/domain/connect-session.ts';
import type { CredentialView } from '../../shared/domain/credential.ts';
import type { CredentialUsage, toFlowView } from '../../shared/domain/flow.ts';
import type { OAuthAppView } from '../../shared/domain/oauth-app.ts';
import type { VerificationResult } from '../../shared/ports/credential-verifier.ts';
import type { DeletePlan } from '../../shared/use-cases/delete-credential.ts';
import type { componentSummary, getComponent } from '../../shared/use-cases/list-components.ts';
import type { replaceCredential } from '../../shared/use-cases/replace-credential.ts';

/**
 * What the API answers, as zod schemas for the OpenAPI document only (the handlers never load them,
 * so they cost no cold start). The compile-time checks at the bottom tie each schema to the type
 * the code returns: a field added to a view without its schema here fails `tsc`.
 */
const timestamp = z.string().check(z.iso.datetime({ offset: true }));
const versionNumber = z.int().check(z.gte(1));
const cursor = z.nullable(z.string());

export const CredentialStatusSchema = z.enum(['unverified', 'verified', 'invalid', 'unreachable']);

export const CredentialSchema = z.object({
  id: z.string(),
  componentId: z.string(),
  name: z.nullable(z.string()),
  /** Plain fields only; secret fields are never returned (see `secretFieldsSet`). */
  fields: z.record(z.string(), z.union([z.string(), z.number()])),
  secretFieldsSet: z.array(z.string()),
  status: CredentialStatusSchema,
  statusReason: z.nullable(z.string()),
  lastVerifiedAt: z.nullable(timestamp),
  /** The declared expiry (an API key's, a refresh token's) once it is within its warning days. */
  expiresSoonAt: z.nullable(z.string()),
  version: versionNumber,
  activeFlowCount: z.int().check(z.gte(0)),
  flowCount: z.int().check(z.gte(0)),
  createdAt: timestamp,
  updatedAt: timestamp,
  createdBy: z.string(),
  updatedBy: z.string(),
});

export const CredentialPageSchema = z.object({
  items: z.array(CredentialSchema),
  nextCursor: cursor,
});

export const ComponentSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  verifiable: z.boolean(),
  connectable: z.boolean(),
  icon: z.nullable(z.string()),
  /** The API's own documentation (https), when the descriptor names it. */
  docsUrl: z.nullable(z.string()),
  credentialCount: z.int().check(z.gte(0)),
});

export const ComponentListSchema = z.object({ items: z.array(ComponentSummarySchema) });

export const FieldDefinitionSchema = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(['string', 'integer', 'url', 'datetime', 'hostname']),
  required: z.boolean(),
  secret: z.boolean(),
  heldByService: z.optional(z.boolean()),
  pattern: z.optional(z.string()),
  maxLength: z.optional(z.int()),
  description: z.optional(z.string()),
});

export const ComponentSchema = z.object({
  ...ComponentSummarySchema.shape,
  fields: z.array(FieldDefinitionSchema),
  verification: z.object({
    kind: z.enum(['http', 'oauth2', 'postgresql', 'none']),
    reason: z.optional(z.string()),
  }),
});

export const FlowStepSchema = z.object({
  stepId: z.string(),
  componentId: z.string(),
  credentialId: z.string(),
  /** The credential was deleted while the flow was inactive: the step needs another one. */
  credentialMissing: z.boolean(),
});

export const FlowSchema = z.object({
  flowId: z.string(),
  name: z.string(),
  status: z.enum(['active', 'inactive']),
  steps: z.array(FlowStepSchema),
  version: versionNumber,
  createdAt: timestamp,
  updatedAt: timestamp,
  updatedBy: z.string(),
});

export const FlowPageSchema = z.object({ items: z.array(FlowSchema), nextCursor: cursor });

export const CredentialUsageSchema = z.object({
  flowId: z.string(),
  flowName: z.string(),
  flowStatus: z.enum(['active', 'inactive']),
  stepIds: z.array(z.string()),
});

export const UsageSchema = z.object({
  credentialId: z.string(),
  activeFlowCount: z.int().check(z.gte(0)),
  flowCount: z.int().check(z.gte(0)),
  flows: z.array(CredentialUsageSchema),
});

export const DeletePlanSchema = z.object({
  credentialId: z.string(),
  dryRun: z.boolean(),
  deletable: z.boolean(),
  blockingFlows: z.array(CredentialUsageSchema),
  affectedFlows: z.array(CredentialUsageSchema),
});

export const ReplaceResultSchema = z.object({
  credentialId: z.string(),
  replacementId: z.string(),
  movedFlows: z.array(z.object({ flowId: z.string(), stepIds: z.array(z.string()) })),
});

export const VerificationSchema = z.object({
  outcome: z.enum(['verified', 'unverified', 'failed']),
  reason: z.optional(
    z.enum([
      'invalid_credentials',
      'insufficient_scope',
      'unreachable',
      'timeout',
      'rate_limited',
      'upstream_error',
      'blocked_destination',
    ]),
  ),
  detail: z.optional(z.string()),
  upstreamStatus: z.optional(z.int()),
  upstreamExcerpt: z.optional(z.string()),
});

export const VerifyResultSchema = z.object({
  credential: CredentialSchema,
  verification: VerificationSchema,
});

export const AuditRecordSchema = z.object({
  credentialId: z.string(),
  componentId: z.string(),
  action: z.enum(AUDIT_ACTIONS),
  credentialName: z.optional(z.string()),
  flows: z.optional(
    z.array(
      z.object({
        flowId: z.string(),
        flowName: z.string(),
        flowStatus: z.optional(z.enum(['active', 'inactive'])),
      }),
    ),
  ),
  actor: z.string(),
  at: timestamp,
  flowId: z.optional(z.string()),
  stepId: z.optional(z.string()),
  executionId: z.optional(z.string()),
  detail: z.optional(z.string()),
  /** A proxied request: method, path without its query, the answer's status, its duration. */
  request: z.optional(
    z.object({ method: z.string(), path: z.string(), status: z.int(), durationMs: z.number() }),
  ),
});

export const AuditPageSchema = z.object({ items: z.array(AuditRecordSchema), nextCursor: cursor });

export const OAuthAppSchema = z.object({
  componentId: z.string(),
  clientId: z.string(),
  scopes: z.nullable(z.array(z.string())),
  secretFieldsSet: z.array(z.string()),
  redirectUri: z.nullable(z.string()),
  version: versionNumber,
  createdAt: timestamp,
  updatedAt: timestamp,
  updatedBy: z.string(),
});

export const OAuthAppListSchema = z.object({ items: z.array(OAuthAppSchema) });

export const ConnectSessionSchema = z.object({
  sessionId: z.string(),
  componentId: z.string(),
  status: z.enum(['pending', 'exchanging', 'connected', 'failed']),
  reason: z.nullable(z.string()),
  credentialId: z.nullable(z.string()),
  expiresAt: timestamp,
  createdAt: timestamp,
});

export const ConnectSessionCreatedSchema = z.object({
  ...ConnectSessionSchema.shape,
  authorizationUrl: z.string(),
});

export const ProxiedResponseSchema = z.object({
  /** The API's status, passed through (429 and 5xx included, with `retry-after`). */
  status: z.int(),
  /** The API's headers, lower-case, hop-by-hop ones dropped, any echoed secret masked. */
  headers: z.record(z.string(), z.string()),
  /** JSON as parsed, text, or base64 bytes (see `bodyEncoding`); null when empty. */
  body: z.unknown(),
  bodyEncoding: z.enum(['json', 'text', 'base64']),
  durationMs: z.number(),
});

/** The reusable schemas, by the name they get under `components.schemas`. */
export const NAMED_SCHEMAS = {
  Credential: CredentialSchema,
  CredentialStatus: CredentialStatusSchema,
  CredentialPage: CredentialPageSchema,
  ComponentSummary: ComponentSummarySchema,
  ComponentList: ComponentListSchema,
  FieldDefinition: FieldDefinitionSchema,
  Component: ComponentSchema,
  FlowStep: FlowStepSchema,
  Flow: FlowSchema,
  FlowPage: FlowPageSchema,
  CredentialUsage: CredentialUsageSchema,
  Usage: UsageSchema,
  DeletePlan: DeletePlanSchema,
  ReplaceResult: ReplaceResultSchema,
  Verification: VerificationSchema,
  VerifyResult: VerifyResultSchema,
  AuditRecord: AuditRecordSchema,
  AuditPage: AuditPageSchema,
  OAuthApp: OAuthAppSchema,
  OAuthAppList: OAuthAppListSchema,
  ConnectSession: ConnectSessionSchema,
  ConnectSessionCreated: ConnectSessionCreatedSchema,
  ProxiedResponse: ProxiedResponseSchema,
} as const;
export type SchemaName = keyof typeof NAMED_SCHEMAS;

// Each view the code returns must be assignable to its schema's type, and back: a drifted view
// breaks the build, not a client.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = T extends readonly (infer U)[]
  ? Mutable<U>[]
  : T extends object
    ? { -readonly [K in keyof T]: Mutable<T[K]> }
    : T;
const sameShape = <_T extends true>() => undefined;
sameShape<Same<Mutable<CredentialView>, z.output<typeof CredentialSchema>>>();
sameShape<Same<Mutable<ReturnType<typeof toFlowView>>, z.output<typeof FlowSchema>>>();
sameShape<Same<Mutable<ReturnType<typeof componentSummary>>, z.output<typeof ComponentSummarySchema>>>();
sameShape<Same<Mutable<CredentialUsage>, z.output<typeof CredentialUsageSchema>>>();
sameShape<Same<Mutable<DeletePlan>, z.output<typeof DeletePlanSchema>>>();
sameShape<Same<Mutable<OAuthAppView>, z.output<typeof OAuthAppSchema>>>();
sameShape<Same<Mutable<ConnectSessionView>, z.output<typeof ConnectSessionSchema>>>();
sameShape<
  Same<Mutable<Awaited<ReturnType<typeof replaceCredential>>>, z.output<typeof ReplaceResultSchema>>
>();
sameShape<Same<Mutable<Omit<AuditEntry, 'tenantId'>>, z.output<typeof AuditRecordSchema>>>();
const _component: z.output<typeof ComponentSchema> | undefined = undefined as
  | Mutable<Awaited<ReturnType<typeof getComponent>>>
  | undefined;
const _verification: z.output<typeof VerificationSchema> | undefined = undefined as
  | Mutable<Exclude<VerificationResult, { outcome: 'verified' }>>
  | undefined;
