import * as z from 'zod/mini';
import { AUDIT_ACTIONS } from '../../domain/audit.ts';
import { builtOnce } from '../../domain/built-once.ts';
import { AppError } from '../../errors/app-error.ts';

/**
 * What an item must look like to be served. Items can be written outside the service (a bad
 * migration, a console edit); one that does not parse is never returned as data. Each schema is
 * built the first time it parses: a function pays at cold start only for the items it reads
 * (building all of them took a measurable share of every cold start). Each is marked pure, so a
 * bundle keeps only those its function reads, and the zod code they alone reach.
 */
const text = () => z.string();
const isoTime = () => z.string().check(z.minLength(10), z.maxLength(40));
const count = () => z.int().check(z.gte(0));
const fieldValue = () => z.union([z.string(), z.number()]);

export const CredentialItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    id: text(),
    componentId: text(),
    name: z.nullable(z.string().check(z.maxLength(200))),
    fields: z.record(z.string(), fieldValue()),
    secretFieldsSet: z.array(z.string()),
    secretVersionId: z.string().check(z.minLength(1)),
    status: z.enum(['unverified', 'verified', 'invalid', 'unreachable']),
    statusReason: z.nullable(z.string()),
    lastVerifiedAt: z.nullable(isoTime()),
    checkDueAt: z.optional(z.nullable(isoTime())),
    healthFailures: z.optional(count()),
    checkRequestedAt: z.optional(isoTime()),
    expiryWarnedFor: z.optional(z.nullable(z.string())),
    version: z.int().check(z.gte(1)),
    editVersion: z.optional(z.int().check(z.gte(1))),
    activeFlowCount: count(),
    flowCount: count(),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    createdBy: text(),
    updatedBy: text(),
  }),
);

export const FlowItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    flowId: text(),
    name: text(),
    status: z.enum(['active', 'inactive']),
    steps: z.array(z.object({ stepId: text(), componentId: text(), credentialId: text() })),
    version: z.int().check(z.gte(1)),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    updatedBy: text(),
    missingCredentialIds: z.optional(z.array(text())),
  }),
);

export const AuditItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    credentialId: text(),
    componentId: text(),
    action: z.enum(AUDIT_ACTIONS),
    credentialName: z.optional(z.string()),
    flows: z.optional(
      z.array(
        z.object({
          flowId: text(),
          flowName: z.string(),
          flowStatus: z.optional(z.enum(['active', 'inactive'])),
        }),
      ),
    ),
    actor: text(),
    at: isoTime(),
    flowId: z.optional(text()),
    stepId: z.optional(text()),
    executionId: z.optional(text()),
    detail: z.optional(text()),
    request: z.optional(
      z.object({ method: text(), path: text(), status: z.int(), durationMs: z.number().check(z.gte(0)) }),
    ),
  }),
);

export const FlowAuditItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    flowId: text(),
    flowName: z.string(),
    action: z.enum(['flow_activated', 'flow_deactivated']),
    actor: text(),
    at: isoTime(),
    credentials: z.array(z.object({ credentialId: text(), componentId: text() })),
  }),
);

export const OAuthAppItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    componentId: text(),
    clientId: text(),
    scopes: z.nullable(z.array(text())),
    secretFieldsSet: z.array(text()),
    secretVersionId: z.string().check(z.minLength(1)),
    version: z.int().check(z.gte(1)),
    createdAt: isoTime(),
    updatedAt: isoTime(),
    updatedBy: text(),
  }),
);

export const ConnectSessionItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    tenantId: text(),
    sessionId: text(),
    componentId: text(),
    name: z.nullable(text()),
    credentialId: z.nullable(text()),
    scopes: z.array(text()),
    returnUrl: z.nullable(text()),
    stateHash: z.string().check(z.length(64)),
    codeVerifier: z.optional(z.nullable(text())),
    nonce: text(),
    // `completed` is what earlier versions wrote for `connected` (a session lives 10 minutes).
    status: z.pipe(
      z.enum(['pending', 'exchanging', 'connected', 'completed', 'failed']),
      z.transform((status) => (status === 'completed' ? 'connected' : status)),
    ),
    reason: z.nullable(text()),
    resultCredentialId: z.nullable(text()),
    createdBy: text(),
    createdAt: isoTime(),
    expiresAt: isoTime(),
  }),
);

export interface ItemKey {
  readonly PK: string;
  readonly SK: string;
}

/** A 500 that names the item's key (ids only) so an operator can find it; never its values. */
export const corruptItem = (itemKey: ItemKey): AppError =>
  new AppError(
    'corrupt_item',
    `The stored item ${itemKey.PK} ${itemKey.SK} is malformed; it was not served.`,
    {
      extensions: { key: { PK: itemKey.PK, SK: itemKey.SK } },
    },
  );

/** Parses an item's attributes, also checking that what it says about itself matches its key. */
export const parseItem = <S extends z.core.$ZodType>(
  schemaOf: () => S,
  itemKey: ItemKey,
  attributes: Record<string, unknown>,
  matchesKey: (parsed: z.output<S>) => boolean,
): z.output<S> => {
  const result = z.safeParse(schemaOf(), attributes);
  if (!result.success || !matchesKey(result.data)) throw corruptItem(itemKey);
  return result.data;
};

export const isCorruptItem = (error: unknown): error is AppError =>
  error instanceof AppError && error.code === 'corrupt_item';

export const UsageItem = /* @__PURE__ */ builtOnce(() =>
  z.object({
    flowId: text(),
    flowName: text(),
    flowStatus: z.enum(['active', 'inactive']),
    stepIds: z.array(text()),
  }),
);

export const CountItem = /* @__PURE__ */ builtOnce(() =>
  z.object({ componentId: text(), credentialCount: z.int() }),
);
