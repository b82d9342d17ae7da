import type { Actor } from '../domain/actor.ts';
import { type AuditAction, type AuditEntry, auditEntry } from '../domain/audit.ts';
import { type ComponentDefinition, secretFieldNames } from '../domain/component.ts';
import type { Credential } from '../domain/credential.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import type { Flow } from '../domain/flow.ts';
import { interpretTokenResponse } from '../domain/oauth2-tokens.ts';
import { EARLY_REFRESH_FLOOR_MS, refreshTimeBudgetMs } from '../domain/refresh-timing.ts';
import { unbindSecret } from '../domain/secret-binding.ts';
import { refreshDueAt } from '../domain/token-refresh-due.ts';
import { AppError } from '../errors/app-error.ts';
import { type RefreshDependencies, refreshCredential } from './oauth2-refresh.ts';
import type { ResolveCache } from './resolve-cache.ts';
import type { ResolveMemory } from './resolve-memory.ts';
import { isSecretMissing, markSecretMissing } from './secret-missing.ts';

/** What a workflow step sends to resolve or to the proxy. */
export interface StepInput {
  readonly flowId: string;
  readonly stepId: string;
  readonly executionId: string;
  /** Epoch ms by which the answer must be ready (the Lambda's remaining time, less a margin). */
  readonly deadline?: number;
  /** Pins the call to this credential: refused if the step uses another one since. */
  readonly credentialId?: string;
}

/** A credential as a step may use it: plain fields and the secrets a workflow may hold. */
export interface StepCredential {
  readonly credentialId: string;
  readonly componentId: string;
  readonly fields: FieldValues;
  readonly secrets: FieldValues;
  readonly version: number;
  readonly resolvedAt: string;
}

export interface StepCredentialDependencies extends RefreshDependencies {
  readonly resolveCache: ResolveCache<StepCredential>;
  readonly memory: ResolveMemory;
  readonly settings: {
    readonly refreshMarginMs: number;
  };
}

export type StepAction = Extract<AuditAction, 'resolved' | 'proxied' | 'reported'>;

/** How many times a use is tried when the credential changes between its read and its record. */
const ATTEMPTS = 3;

const auditedInput = (input: StepInput) => ({
  flowId: input.flowId,
  stepId: input.stepId,
  executionId: input.executionId,
});

const cacheKeyOf = (actor: Actor, input: StepInput) =>
  `${actor.tenantId}|${input.flowId}|${input.stepId}|${input.credentialId ?? ''}`;

/**
 * Why this step may not use the credential, from the flow's item and the credential's: each cause
 * has its own code, so a workflow can route it. Another tenant's ids are simply not found (every
 * key is the caller's tenant's).
 */
const refusalOf = (
  flow: Flow | null,
  input: StepInput,
  credentialId: string | undefined,
): AppError | undefined => {
  if (!flow)
    return new AppError('flow_not_found', `There is no flow '${input.flowId}' in this tenant.`, {
      extensions: { flowId: input.flowId },
    });
  if (flow.status !== 'active')
    return new AppError('flow_not_active', `Flow '${input.flowId}' is ${flow.status}; activate it first.`, {
      extensions: { flowId: input.flowId, flowStatus: flow.status },
    });
  const step = flow.steps.find((candidate) => candidate.stepId === input.stepId);
  if (!step)
    return new AppError('step_not_found', `Flow '${input.flowId}' has no step '${input.stepId}'.`, {
      extensions: { flowId: input.flowId, stepId: input.stepId },
    });
  if (credentialId !== undefined && step.credentialId !== credentialId)
    return new AppError(
      'credential_not_used_by_step',
      `Step '${input.stepId}' of flow '${input.flowId}' uses credential '${step.credentialId}', not '${credentialId.slice(0, 100)}'.`,
      {
        extensions: {
          flowId: input.flowId,
          stepId: input.stepId,
          currentCredentialId: step.credentialId,
        },
      },
    );
  return undefined;
};

const invalidCredential = (credential: Credential): AppError =>
  new AppError(
    'credential_invalid',
    `Credential '${credential.id}' is invalid (${credential.statusReason ?? 'refused by its API'}): replace its secrets or reconnect it.`,
    { extensions: { credentialId: credential.id, reason: credential.statusReason ?? 'invalid' } },
  );

const deletedCredential = (credentialId: string): AppError =>
  new AppError('credential_invalid', `Credential '${credentialId}' no longer exists.`, {
    extensions: { credentialId, reason: 'deleted' },
  });

/** A refusal is recorded on the credential it names, when there is one; the record needs no secret. */
const auditRefusal = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
  credentialId: string | undefined,
  refusal: AppError,
) => {
  const componentId = credentialId ? parseCredentialId(credentialId)?.componentId : undefined;
  if (!credentialId || !componentId) return;
  await deps.credentials.appendAudit(
    auditEntry(actor, { id: credentialId, componentId }, action, deps.clock.now(), {
      ...auditedInput(input),
      detail: `refused:${refusal.code}`,
    }),
  );
};

/**
 * When the stored access token is due for refresh, judged from its lifetime: it was obtained when
 * the credential was last verified with it (a refresh, a connect, a save; a rename verifies
 * nothing). Undefined: it does not expire.
 */
export const refreshDue = (
  values: FieldValues,
  credential: Pick<Credential, 'lastVerifiedAt' | 'updatedAt'>,
  maxMarginMs: number,
): number | undefined => {
  if (values.expiresAt === undefined) return undefined;
  const expiresAt = Date.parse(String(values.expiresAt));
  if (Number.isNaN(expiresAt)) return Number.NEGATIVE_INFINITY;
  const obtainedAt = Date.parse(credential.lastVerifiedAt ?? credential.updatedAt);
  return refreshDueAt(
    expiresAt,
    Math.min(Number.isNaN(obtainedAt) ? expiresAt : obtainedAt, expiresAt),
    maxMarginMs,
  );
};

/**
 * The secret with the destination it was saved with, or a refusal: a workflow (or the proxy) would
 * send these values to the metadata's URL or host, so a metadata change made without the secrets
 * is never served.
 */
const boundValues = (deps: StepCredentialDependencies, credential: Credential, stored: FieldValues) => {
  const component = deps.components.get(credential.componentId);
  try {
    return { ...credential.fields, ...unbindSecret(component, credential.fields, stored) };
  } catch {
    throw new AppError(
      'credential_invalid',
      "The credential's destination changed without its secrets being entered again. Update it with its secrets.",
      { extensions: { credentialId: credential.id, reason: 'destination_changed' } },
    );
  }
};

/**
 * The flow and the credential (one consistent TransactGetItems), checked, then the secret. A
 * refused call reads no secret. Without a credential id the step's credential comes from the flow
 * item (a first read), or from what this container remembers of the step (re-checked here).
 */
export const authorizeStep = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
): Promise<Credential> => {
  const step = `${actor.tenantId}|${input.flowId}|${input.stepId}`;
  let credentialId = input.credentialId ?? deps.memory.credentialOf(step);
  if (credentialId === undefined) {
    const flow = await deps.flows.get(actor.tenantId, input.flowId);
    const refusal = refusalOf(flow, input, undefined);
    if (refusal) throw refusal;
    credentialId = flow?.steps.find((candidate) => candidate.stepId === input.stepId)?.credentialId ?? '';
  }
  if (!parseCredentialId(credentialId)) {
    const flow = await deps.flows.get(actor.tenantId, input.flowId);
    throw refusalOf(flow, input, credentialId) ?? deletedCredential(credentialId);
  }
  const named = credentialId;
  const { flow, credential } = await deps.memory.shared(`${actor.tenantId}|${input.flowId}|${named}`, () =>
    deps.credentials.getWithFlow(actor.tenantId, input.flowId, named),
  );
  const refusal = refusalOf(flow, input, named);
  if (refusal) {
    if (input.credentialId === undefined && refusal.code === 'credential_not_used_by_step') {
      // The step was re-pointed since this container remembered it: follow it.
      deps.memory.forget(step);
      return authorizeStep(deps, actor, input, action);
    }
    await auditRefusal(deps, actor, input, action, named, refusal);
    throw refusal;
  }
  if (!credential) throw deletedCredential(named);
  if (credential.status === 'invalid') {
    await auditRefusal(deps, actor, input, action, named, invalidCredential(credential));
    throw invalidCredential(credential);
  }
  if (input.credentialId === undefined) deps.memory.remember(step, named);
  return credential;
};

const authorizeAndRead = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
): Promise<{ credential: Credential; values: FieldValues }> => {
  const credential = await authorizeStep(deps, actor, input, action);
  const address = { tenantId: actor.tenantId, credentialId: credential.id };
  // The item names the current secret version; identical reads in flight share one call.
  const secret = await deps.memory
    .shared(`${actor.tenantId}|${credential.id}|${credential.secretVersionId}`, () =>
      deps.secrets.read(address, credential.secretVersionId),
    )
    .catch(async (error: unknown) => {
      // Found gone by this use: the credential says so now (with its event), not at the next sweep.
      if (isSecretMissing(error)) {
        await markSecretMissing(deps, actor, credential, 'the secret could not be read');
        await auditRefusal(deps, actor, input, action, credential.id, error);
      }
      throw error;
    });
  return { credential, values: boundValues(deps, credential, secret.values) };
};

/**
 * A client-credentials component's access token: fetched with the credential's client at the
 * descriptor's token URL, shared by concurrent calls in this container, kept in memory until
 * shortly before it expires and never stored.
 */
const clientCredentialsToken = async (
  deps: StepCredentialDependencies,
  credential: Credential,
  component: ComponentDefinition,
  values: FieldValues,
  refusedAccessToken: string | undefined,
): Promise<FieldValues> => {
  const provider = component.provider as NonNullable<ComponentDefinition['provider']>;
  const key = `${credential.tenantId}|${credential.id}|${credential.secretVersionId}`;
  if (refusedAccessToken !== undefined) deps.clientTokens.discard(key, refusedAccessToken);
  const token = await deps.clientTokens.get(
    key,
    async () => {
      const exchange = await deps.tokens.clientCredentials(
        {
          tokenUrl: provider.tokenUrl,
          clientId: String(values.clientId),
          clientSecret: String(values.clientSecret),
          authMethod: provider.tokenEndpointAuthMethod ?? 'client_secret_basic',
        },
        values.scope === undefined ? provider.scopes.join(' ') : String(values.scope),
        deps.refresh.tokenTimeoutMs,
      );
      if (exchange.kind !== 'answered')
        throw new AppError(
          'upstream_unavailable',
          `The token endpoint could not be reached (${exchange.detail}).`,
          { extensions: { retryAfterSeconds: 1 } },
        );
      const answer = interpretTokenResponse(exchange.status, exchange.body, deps.clock.now());
      if (answer.kind === 'refused')
        throw new AppError('credential_invalid', `The token endpoint refused the client (${answer.error}).`, {
          extensions: { credentialId: credential.id, reason: answer.error },
        });
      if (answer.kind !== 'tokens')
        throw new AppError('upstream_unavailable', 'The token endpoint could not issue a token now; retry.', {
          extensions: { retryAfterSeconds: 1 },
        });
      const obtainedAt = deps.clock.now().getTime();
      const expiresAt = Date.parse(answer.tokens.expiresAt ?? '') || obtainedAt + 300_000;
      return {
        accessToken: answer.tokens.accessToken,
        expiresAt,
        dueAt: refreshDueAt(expiresAt, obtainedAt, deps.settings.refreshMarginMs),
      };
    },
    deps.clock.now().getTime(),
  );
  return { accessToken: token.accessToken, expiresAt: new Date(token.expiresAt).toISOString() };
};

export interface LoadOptions {
  /** The API refused this access token as expired: get another even if it is not due. */
  readonly refusedAccessToken?: string;
}

/** Reads, checks and (when due) refreshes: the credential as a step may use it. */
export const loadStepCredential = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
  options: LoadOptions,
): Promise<StepCredential> => {
  const now = deps.clock.now();
  const read = await authorizeAndRead(deps, actor, input, action);
  try {
    return await renewedStepCredential(deps, actor, input, options, now, read);
  } catch (error) {
    // Refused after the checks (a token endpoint down, a refresh token refused): recorded too.
    if (error instanceof AppError)
      await auditRefusal(deps, actor, input, action, read.credential.id, error).catch(() => undefined);
    throw error;
  }
};

/** The step's credential with a fresh access token where one is due, remembered in the warm cache. */
const renewedStepCredential = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  options: LoadOptions,
  now: Date,
  read: { credential: Credential; values: FieldValues },
): Promise<StepCredential> => {
  let { credential, values } = read;
  const component = deps.components.get(credential.componentId);
  // An access token this container obtained by a refresh that changed nothing stored.
  const rememberedKey = `${credential.tenantId}|${credential.id}|${credential.secretVersionId}|refreshed`;
  const remembered = deps.clientTokens.peek(rememberedKey, now.getTime());
  if (remembered && remembered.accessToken !== options.refusedAccessToken)
    values = {
      ...values,
      accessToken: remembered.accessToken,
      expiresAt: new Date(remembered.expiresAt).toISOString(),
    };
  if (component.verification.kind === 'oauth2' && values.refreshToken !== undefined) {
    const due = refreshDue(values, credential, deps.settings.refreshMarginMs);
    const refused = options.refusedAccessToken;
    const forced = refused !== undefined && values.accessToken === refused;
    if (forced || (due !== undefined && due <= now.getTime())) {
      const stale = credential;
      const expiresAt = Date.parse(String(values.expiresAt ?? ''));
      const refreshed = await refreshCredential(deps, actor, credential, {
        audit: auditedInput(input),
        deadline: input.deadline ?? Date.now() + refreshTimeBudgetMs(deps.refresh),
        early: !forced && expiresAt - now.getTime() > EARLY_REFRESH_FLOOR_MS,
        // Another holder's refresh that already replaced the token the API refused is used as it is.
        isFresh: (current) =>
          forced
            ? current.accessToken !== refused
            : (refreshDue(current, stale, deps.settings.refreshMarginMs) ?? Number.POSITIVE_INFINITY) >
              deps.clock.now().getTime(),
      });
      // Deferred (the second's writes were spent): the tokens this call already holds still work,
      // and they may be newer than the stored ones (a token kept in memory).
      if (!refreshed.deferred) ({ credential, values } = refreshed);
      if (refreshed.inMemory) {
        const renewedExpiry = Date.parse(String(values.expiresAt ?? '')) || now.getTime() + 300_000;
        deps.clientTokens.put(rememberedKey, {
          accessToken: String(values.accessToken),
          expiresAt: renewedExpiry,
          dueAt: refreshDueAt(renewedExpiry, now.getTime(), deps.settings.refreshMarginMs),
        });
      }
    }
  }
  if (component.provider?.grant === 'client_credentials') {
    values = {
      ...values,
      ...(await clientCredentialsToken(deps, credential, component, values, options.refusedAccessToken)),
    };
  }
  const secretNames = new Set([...secretFieldNames(component), 'accessToken']);
  // What only the service may hold (a refresh token, a client secret) is never handed out.
  const held = new Set(component.fields.filter((field) => field.heldByService).map((field) => field.name));
  const resolved: StepCredential = {
    credentialId: credential.id,
    componentId: credential.componentId,
    fields: Object.fromEntries(Object.entries(values).filter(([name]) => !secretNames.has(name))),
    secrets: Object.fromEntries(
      Object.entries(values).filter(([name]) => secretNames.has(name) && !held.has(name)),
    ),
    version: credential.version,
    resolvedAt: now.toISOString(),
  };
  // Never cached past the moment the token is due: the next call then refreshes it.
  deps.resolveCache.set(
    cacheKeyOf(actor, input),
    resolved,
    now.getTime(),
    refreshDue(values, credential, deps.settings.refreshMarginMs),
  );
  return resolved;
};

/** What the use of a credential by a step did, recorded once its outcome is known. */
export type UseRecord = Pick<AuditEntry, 'detail' | 'request'>;

const stepAudit = (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
  credential: StepCredential,
  record: UseRecord,
) =>
  auditEntry(
    actor,
    { id: credential.credentialId, componentId: credential.componentId },
    action,
    deps.clock.now(),
    { ...auditedInput(input), ...record },
  );

/**
 * Hands out the step's credential (from the warm cache, or read and checked): its audit record is
 * written in the one conditional write that re-authorizes (the flow is still active, the step still
 * uses this credential at this version) before anything is answered. If that no longer holds, the
 * copy is dropped and the credential read anew from the items: a refusal then says why.
 */
export const useStepCredential = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
  recordOf: (cached: boolean) => UseRecord,
  options: LoadOptions = {},
): Promise<StepCredential> => {
  const cacheKey = cacheKeyOf(actor, input);
  for (let attempt = 1; ; attempt++) {
    const cached = attempt === 1 ? deps.resolveCache.get(cacheKey, deps.clock.now().getTime()) : undefined;
    const credential = cached ?? (await loadStepCredential(deps, actor, input, action, options));
    const entry = stepAudit(deps, actor, input, action, credential, recordOf(cached !== undefined));
    if (await authorizedRecord(deps, input, entry, credential)) return credential;
    // Deactivated, re-pointed, or changed (re-connected, refreshed, invalidated) since it was read.
    deps.resolveCache.delete(cacheKey);
    if (attempt >= ATTEMPTS) throw keptChanging();
  }
};

const authorizedRecord = (
  deps: StepCredentialDependencies,
  input: StepInput,
  entry: AuditEntry,
  credential: StepCredential,
) =>
  deps.credentials.appendAuditIfStepUses(entry, {
    flowId: input.flowId,
    stepId: input.stepId,
    credentialVersion: credential.version,
  });

const keptChanging = () =>
  new AppError('conflict', 'The credential kept changing while it was being used; retry.', {
    extensions: { retryAfterSeconds: 1 },
  });

/**
 * A side effect for a step (a proxied request): authorized at the moment it is done. The audit
 * record is written first, in the conditional write that re-authorizes; only then does `act` run,
 * and its outcome completes that record. A copy whose flow, step, version or status changed is
 * dropped before anything is sent, and the credential read anew from the items (a refusal, with its
 * own record, says why). Each call of `act` is one authorized record: a retry after a refresh is
 * authorized again, for the credential it will send.
 */
export const actForStep = async <T>(
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
  action: StepAction,
  credential: StepCredential | undefined,
  act: (credential: StepCredential) => Promise<{ answer: T; record: UseRecord }>,
  options: LoadOptions = {},
): Promise<{ answer: T; credential: StepCredential }> => {
  const cacheKey = cacheKeyOf(actor, input);
  for (let attempt = 1; ; attempt++) {
    const cached =
      credential ?? (attempt === 1 ? deps.resolveCache.get(cacheKey, deps.clock.now().getTime()) : undefined);
    const given = cached ?? (await loadStepCredential(deps, actor, input, action, options));
    const pending = stepAudit(deps, actor, input, action, given, { detail: 'sending' });
    const recordId = await authorizedRecord(deps, input, pending, given);
    if (recordId === undefined) {
      deps.resolveCache.delete(cacheKey);
      credential = undefined;
      if (attempt >= ATTEMPTS) throw keptChanging();
      continue;
    }
    let done: { answer: T; record: UseRecord };
    try {
      done = await act(given);
    } catch (error) {
      // Refused before sending (a request the credential cannot make): the record says so.
      const detail = error instanceof AppError ? `refused:${error.code}` : 'failed';
      await deps.credentials.completeAudit(pending, recordId, { detail });
      throw error;
    }
    await deps.credentials.completeAudit(pending, recordId, done.record);
    return { answer: done.answer, credential: given };
  }
};
