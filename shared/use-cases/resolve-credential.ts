import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { type ComponentDefinition, secretFieldNames } from '../domain/component.ts';
import type { Credential } from '../domain/credential.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { interpretTokenResponse } from '../domain/oauth2-tokens.ts';
import { refreshTimeBudgetMs } from '../domain/refresh-timing.ts';
import { unbindSecret } from '../domain/secret-binding.ts';
import { refreshDueAt } from '../domain/token-refresh-due.ts';
import { AppError } from '../errors/app-error.ts';
import { type RefreshDependencies, refreshCredential } from './oauth2-refresh.ts';
import type { ResolveCache } from './resolve-cache.ts';
import type { ResolveMemory } from './resolve-memory.ts';

const auditedInput = (input: ResolveInput) => ({
  flowId: input.flowId,
  stepId: input.stepId,
  executionId: input.executionId,
});

export interface ResolveInput {
  readonly flowId: string;
  readonly stepId: string;
  readonly executionId: string;
  /** Epoch ms by which the answer must be ready (the Lambda's remaining time, less a margin). */
  readonly deadline?: number;
  /** Recommended: lets metadata and secret be read in parallel (2 calls instead of 3). */
  readonly credentialId?: string;
}

export interface ResolvedCredential {
  readonly credentialId: string;
  readonly componentId: string;
  readonly fields: FieldValues;
  readonly secrets: FieldValues;
  readonly version: number;
  readonly resolvedAt: string;
}

export interface ResolveDependencies extends RefreshDependencies {
  readonly resolveCache: ResolveCache<ResolvedCredential>;
  readonly memory: ResolveMemory;
  readonly settings: {
    readonly refreshMarginMs: number;
  };
}

const refused = (input: ResolveInput, credentialId: string | undefined) =>
  new AppError(
    'flow_not_active',
    `Flow '${input.flowId}' is not active in this tenant, or its step '${input.stepId}' does not use ${
      credentialId ? `credential '${credentialId.slice(0, 100)}'` : 'a credential'
    }.`,
  );

/**
 * When the stored access token is due for refresh, judged from its lifetime: it was obtained when
 * the credential was last verified with it (a refresh, a connect, a save; a rename verifies
 * nothing). Undefined: it does not expire.
 */
const refreshDue = (
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
 * The secret with the destination it was saved with, or a refusal: a workflow would send these
 * values to the metadata's URL or host, so a metadata change made without the secrets is never served.
 */
const boundValues = (deps: ResolveDependencies, credential: Credential, stored: FieldValues): FieldValues => {
  const component = deps.components.get(credential.componentId);
  try {
    return { ...credential.fields, ...unbindSecret(component, credential.fields, stored) };
  } catch {
    throw new AppError(
      'credential_invalid',
      "The credential's destination changed without its secrets being entered again. Update it with its secrets.",
    );
  }
};

/** Reads the flow and credential (consistently) and the current secret, in parallel when it can. */
/**
 * One round of parallel calls: the flow and the credential (one consistent TransactGetItems), the
 * current secret, and the audit record, written only if the flow is active and its step uses the
 * credential (the write that re-authorises). Without a credential id the flow is read first.
 */
/** The step's credential from the flow item (a first read), or refused. */
const credentialOfStep = async (deps: ResolveDependencies, actor: Actor, input: ResolveInput) => {
  const flow = await deps.flows.get(actor.tenantId, input.flowId);
  const credentialId = flow?.steps.find((step) => step.stepId === input.stepId)?.credentialId;
  if (flow?.status !== 'active' || !credentialId) throw refused(input, undefined);
  return credentialId;
};

const load = async (
  deps: ResolveDependencies,
  actor: Actor,
  input: ResolveInput,
  now: Date,
): Promise<{ credential: Credential; values: FieldValues }> => {
  const step = `${actor.tenantId}|${input.flowId}|${input.stepId}`;
  // Without `credentialId`, a warm container starts from the credential the step used last: the
  // one round below re-checks that the step still uses it, and a step re-pointed since is read again.
  const remembered = input.credentialId === undefined ? deps.memory.credentialOf(step) : undefined;
  const credentialId = input.credentialId ?? remembered ?? (await credentialOfStep(deps, actor, input));
  try {
    const loaded = await loadCredential(deps, actor, input, credentialId, now);
    if (input.credentialId === undefined) deps.memory.remember(step, credentialId);
    return loaded;
  } catch (error) {
    if (remembered === undefined || !(error instanceof AppError) || error.code !== 'flow_not_active')
      throw error;
    deps.memory.forget(step);
    return load(deps, actor, input, now);
  }
};

const loadCredential = async (
  deps: ResolveDependencies,
  actor: Actor,
  input: ResolveInput,
  credentialId: string,
  now: Date,
) => {
  if (!parseCredentialId(credentialId)) throw refused(input, credentialId);
  const address = { tenantId: actor.tenantId, credentialId };
  const componentId = parseCredentialId(credentialId)?.componentId ?? '';
  // Identical misses in flight in this container share the reads; each writes its own audit record.
  const reads = deps.memory.shared(`${actor.tenantId}|${input.flowId}|${credentialId}`, () =>
    Promise.all([
      deps.credentials.getWithFlow(actor.tenantId, input.flowId, credentialId),
      deps.secrets.read(address).catch(() => null),
    ]),
  );
  const [[snapshot, secret], authorized] = await Promise.all([
    reads,
    deps.credentials.appendAuditIfStepUses(
      auditEntry(actor, { id: credentialId, componentId }, 'resolved', now, {
        ...auditedInput(input),
        detail: 'granted',
      }),
      { flowId: input.flowId, stepId: input.stepId },
    ),
  ]);
  const { flow, credential } = snapshot;
  const flowStepUses = flow?.steps.find((step) => step.stepId === input.stepId)?.credentialId;
  if (!authorized || flow?.status !== 'active' || flowStepUses !== credentialId || !credential)
    throw refused(input, credentialId);
  // The item names the current secret version; a PATCH racing this read may have moved AWSCURRENT.
  const secretValues =
    secret && secret.versionId === credential.secretVersionId
      ? secret.values
      : (await deps.secrets.read(address, credential.secretVersionId)).values;
  return { credential, values: boundValues(deps, credential, secretValues) };
};

/**
 * The only path by which secret values leave the service: a workflow step, in an active flow,
 * asking for the credential that step uses. Every resolve is audited.
 */
export const resolveCredential = async (
  deps: ResolveDependencies,
  actor: Actor,
  input: ResolveInput,
): Promise<ResolvedCredential> => {
  const cacheKey = `${actor.tenantId}|${input.flowId}|${input.stepId}|${input.credentialId ?? ''}`;
  const now = deps.clock.now();
  const cached = deps.resolveCache.get(cacheKey, now.getTime());
  if (cached) {
    // The hit's one write re-authorises and re-validates: a deactivated flow or a moved step is
    // refused at once, and a credential changed since (re-connected, refreshed, invalidated) is
    // read again instead of served from this container's copy.
    const stillUsed = await deps.credentials.appendAuditIfStepUses(
      auditEntry(actor, { id: cached.credentialId, componentId: cached.componentId }, 'resolved', now, {
        ...auditedInput(input),
        detail: 'cache',
      }),
      { flowId: input.flowId, stepId: input.stepId, credentialVersion: cached.version },
    );
    if (stillUsed) return cached;
    deps.resolveCache.delete(cacheKey);
  }

  let loaded: Awaited<ReturnType<typeof load>>;
  try {
    loaded = await load(deps, actor, input, now);
  } catch (error) {
    if (
      error instanceof AppError &&
      error.code === 'flow_not_active' &&
      input.credentialId &&
      parseCredentialId(input.credentialId)
    ) {
      const componentId = parseCredentialId(input.credentialId)?.componentId ?? '';
      await deps.credentials.appendAudit(
        auditEntry(actor, { id: input.credentialId, componentId }, 'resolved', now, {
          ...auditedInput(input),
          detail: 'refused',
        }),
      );
    }
    throw error;
  }
  let { credential, values } = loaded;
  const component = deps.components.get(credential.componentId);
  if (component.verification.kind === 'oauth2') {
    // Said once, then said at once: an invalid credential is refused without calling the provider.
    if (credential.status === 'invalid')
      throw new AppError(
        'credential_invalid',
        `The OAuth2 credential needs reconnecting (${credential.statusReason ?? 'invalid'}).`,
      );
    const due = refreshDue(values, credential, deps.settings.refreshMarginMs);
    if (values.refreshToken !== undefined && due !== undefined && due <= now.getTime()) {
      const stale = credential;
      const { flowId, stepId, executionId } = input;
      ({ credential, values } = await refreshCredential(deps, actor, credential, {
        audit: { flowId, stepId, executionId },
        deadline: input.deadline ?? Date.now() + refreshTimeBudgetMs(deps.refresh),
        isFresh: (current) =>
          (refreshDue(current, stale, deps.settings.refreshMarginMs) ?? Number.POSITIVE_INFINITY) >
          deps.clock.now().getTime(),
      }));
    }
  }
  if (component.provider?.grant === 'client_credentials') {
    values = { ...values, ...(await clientCredentialsToken(deps, credential, component, values)) };
  }
  const secretNames = new Set([...secretFieldNames(component), 'accessToken']);
  // What only the service may hold (a refresh token, a client secret) is never handed out.
  const held = new Set(component.fields.filter((field) => field.heldByService).map((field) => field.name));
  const plain = Object.fromEntries(Object.entries(values).filter(([name]) => !secretNames.has(name)));
  const secret = Object.fromEntries(
    Object.entries(values).filter(([name]) => secretNames.has(name) && !held.has(name)),
  );
  const resolved: ResolvedCredential = {
    credentialId: credential.id,
    componentId: credential.componentId,
    fields: plain,
    secrets: secret,
    version: credential.version,
    resolvedAt: now.toISOString(),
  };

  // Never cached past the moment the token is due: the next resolve then refreshes it.
  deps.resolveCache.set(
    cacheKey,
    resolved,
    now.getTime(),
    refreshDue(values, credential, deps.settings.refreshMarginMs),
  );
  return resolved;
};

/**
 * A client-credentials component's access token: fetched with the credential's client at the
 * descriptor's token URL, shared by concurrent resolves in this container, kept in memory until
 * shortly before it expires and never stored.
 */
const clientCredentialsToken = async (
  deps: ResolveDependencies,
  credential: Credential,
  component: ComponentDefinition,
  values: FieldValues,
): Promise<FieldValues> => {
  const provider = component.provider as NonNullable<ComponentDefinition['provider']>;
  const token = await deps.clientTokens.get(
    `${credential.tenantId}|${credential.id}|${credential.secretVersionId}`,
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
        );
      const answer = interpretTokenResponse(exchange.status, exchange.body, deps.clock.now());
      if (answer.kind === 'refused')
        throw new AppError('credential_invalid', `The token endpoint refused the client (${answer.error}).`, {
          extensions: { reason: answer.error },
        });
      if (answer.kind !== 'tokens')
        throw new AppError('upstream_unavailable', 'The token endpoint could not issue a token now; retry.');
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
