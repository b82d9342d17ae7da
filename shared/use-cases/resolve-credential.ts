import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { secretFieldNames } from '../domain/component.ts';
import type { Credential } from '../domain/credential.ts';
import { type FieldValues, validateFields } from '../domain/credential-fields.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { applyTokens } from '../domain/oauth2-tokens.ts';
import { bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { RefreshLease } from '../ports/refresh-lease.ts';
import type { TokenRefresher, TokenResponse } from '../ports/token-refresher.ts';
import type { ResolveCache } from './resolve-cache.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

export interface ResolveInput {
  readonly flowId: string;
  readonly stepId: string;
  readonly executionId: string;
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

export interface ResolveDependencies extends UseCaseDependencies {
  readonly leases: RefreshLease;
  readonly tokens: TokenRefresher;
  readonly resolveCache: ResolveCache<ResolvedCredential>;
  readonly settings: {
    readonly refreshMarginMs: number;
    readonly leaseMs: number;
    readonly leaseWaitMs: number;
  };
}

const refused = (input: ResolveInput, credentialId: string | undefined) =>
  new AppError(
    'flow_not_active',
    `Flow '${input.flowId}' is not active in this tenant, or its step '${input.stepId}' does not use ${
      credentialId ? `credential '${credentialId.slice(0, 100)}'` : 'a credential'
    }.`,
  );

const expiresWithin = (values: FieldValues, marginMs: number, now: number): boolean => {
  if (values.expiresAt === undefined) return false;
  return Date.parse(String(values.expiresAt)) - marginMs <= now;
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the flow and credential (consistently) and the current secret, in parallel when it can. */
const load = async (deps: ResolveDependencies, actor: Actor, input: ResolveInput) => {
  let credentialId = input.credentialId;
  if (credentialId === undefined) {
    const flow = await deps.flows.get(actor.tenantId, input.flowId);
    credentialId = flow?.steps.find((step) => step.stepId === input.stepId)?.credentialId;
    if (flow?.status !== 'active' || !credentialId) throw refused(input, undefined);
  }
  if (!parseCredentialId(credentialId)) throw refused(input, credentialId);
  const address = { tenantId: actor.tenantId, credentialId };
  const [snapshot, secret] = await Promise.all([
    deps.credentials.getWithFlow(actor.tenantId, input.flowId, credentialId),
    deps.secrets.read(address).catch(() => null),
  ]);
  const { flow, credential } = snapshot;
  const flowStepUses = flow?.steps.find((step) => step.stepId === input.stepId)?.credentialId;
  if (flow?.status !== 'active' || flowStepUses !== credentialId || !credential)
    throw refused(input, credentialId);
  // The item names the current secret version; a PATCH racing this read may have moved AWSCURRENT.
  const secretValues =
    secret && secret.versionId === credential.secretVersionId
      ? secret.values
      : (await deps.secrets.read(address, credential.secretVersionId)).values;
  return { credential, values: boundValues(deps, credential, secretValues) };
};

/**
 * The single-flight refresh. The lease holder re-reads the credential (someone may have refreshed
 * since), calls the token endpoint once, stores the new tokens as a new secret version and records
 * it; everyone else waits for the credential's secret version to change and reads that.
 */
const refreshOnce = async (
  deps: ResolveDependencies,
  actor: Actor,
  stale: Credential,
  input: ResolveInput,
): Promise<{ credential: Credential; values: FieldValues }> => {
  const address = { tenantId: actor.tenantId, credentialId: stale.id };
  const owner = randomUUID();
  const deadline = Date.now() + deps.settings.leaseWaitMs;
  const readIfChanged = async () => {
    const latest = await deps.credentials.get(actor.tenantId, stale.id);
    if (!latest) throw notFound('Credential');
    if (latest.secretVersionId === stale.secretVersionId) return null;
    return {
      credential: latest,
      values: boundValues(deps, latest, (await deps.secrets.read(address, latest.secretVersionId)).values),
    };
  };

  while (Date.now() < deadline) {
    const lease = await deps.leases.acquire(
      actor.tenantId,
      stale.id,
      owner,
      deps.clock.now(),
      deps.settings.leaseMs,
    );
    if (!lease.acquired) {
      await sleep(50 + Math.random() * 100);
      const changed = await readIfChanged();
      if (changed) return changed;
      continue;
    }
    try {
      const changed = await readIfChanged();
      if (changed) return changed;
      // The token URL used is the one bound to the refresh token, never a later metadata edit.
      const current = boundValues(
        deps,
        stale,
        (await deps.secrets.read(address, stale.secretVersionId)).values,
      );
      const now = deps.clock.now();
      const outcome = await deps.tokens.refresh(current, now);
      if (outcome.kind === 'refreshed')
        return await storeTokens(deps, actor, stale, current, outcome.tokens, input);
      if (outcome.kind === 'rejected' && outcome.error === 'invalid_grant') {
        // Re-read before concluding: another container may have rotated the token a moment ago.
        const rotated = await readIfChanged();
        if (rotated) return rotated;
        await deps.credentials.update(
          stale,
          {
            status: 'invalid',
            statusReason: 'invalid_grant: the refresh token was refused',
            updatedAt: now.toISOString(),
            updatedBy: actor.subject,
          },
          auditEntry(actor, stale, 'invalidated', now, { ...input, detail: 'invalid_grant' }),
        );
        throw new AppError(
          'credential_invalid',
          'The refresh token was refused (invalid_grant). Reconnect the account.',
        );
      }
      throw new AppError(
        'upstream_unavailable',
        `The token endpoint could not refresh the access token (${outcome.status}).`,
      );
    } finally {
      await deps.leases.release(actor.tenantId, stale.id, owner, lease.generation);
    }
  }
  throw new AppError(
    'upstream_unavailable',
    'Another refresh of this credential did not finish in time; retry.',
  );
};

const storeTokens = async (
  deps: ResolveDependencies,
  actor: Actor,
  stale: Credential,
  current: FieldValues,
  tokens: TokenResponse,
  input: ResolveInput,
) => {
  const component = deps.components.get(stale.componentId);
  const renewed = applyTokens(current, tokens);
  const { plain, secret } = validateFields(component, renewed);
  const secretVersionId = await deps.secrets.putVersion(
    { tenantId: actor.tenantId, credentialId: stale.id },
    bindSecret(component, plain, secret),
    randomUUID(),
  );
  const now = deps.clock.now();
  // The new tokens exist only in that version now (the old refresh token is spent), so the item must
  // point at it even if a rename raced us: retry on a version change, keeping the other changes.
  let base = stale;
  for (let attempt = 1; ; attempt++) {
    try {
      const credential = await deps.credentials.update(
        base,
        {
          fields: plain,
          secretVersionId,
          status: 'verified',
          statusReason: null,
          lastVerifiedAt: now.toISOString(),
          updatedAt: now.toISOString(),
          updatedBy: actor.subject,
        },
        auditEntry(actor, stale, 'refreshed', now, input),
      );
      return { credential, values: renewed };
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'version_mismatch' || attempt >= 3) throw error;
      const latest = await deps.credentials.get(actor.tenantId, stale.id);
      if (!latest) throw error;
      base = latest;
    }
  }
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
    // The hit's one write re-authorises: a deactivated flow or a moved step is refused at once.
    const stillUsed = await deps.credentials.appendAuditIfStepUses(
      auditEntry(actor, { id: cached.credentialId, componentId: cached.componentId }, 'resolved', now, {
        ...input,
        detail: 'cache',
      }),
      { flowId: input.flowId, stepId: input.stepId },
    );
    if (stillUsed) return cached;
    deps.resolveCache.delete(cacheKey);
  }

  let loaded: Awaited<ReturnType<typeof load>>;
  try {
    loaded = await load(deps, actor, input);
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
          ...input,
          detail: 'refused',
        }),
      );
    }
    throw error;
  }
  let { credential, values } = loaded;
  if (
    credential.componentId === 'oauth2' &&
    values.refreshToken !== undefined &&
    expiresWithin(values, deps.settings.refreshMarginMs, now.getTime())
  ) {
    ({ credential, values } = await refreshOnce(deps, actor, credential, input));
  }
  const secretNames = new Set(secretFieldNames(deps.components.get(credential.componentId)));
  const plain = Object.fromEntries(Object.entries(values).filter(([name]) => !secretNames.has(name)));
  const secret = Object.fromEntries(Object.entries(values).filter(([name]) => secretNames.has(name)));
  const resolved: ResolvedCredential = {
    credentialId: credential.id,
    componentId: credential.componentId,
    fields: plain,
    secrets: secret,
    version: credential.version,
    resolvedAt: now.toISOString(),
  };
  await deps.credentials.appendAudit(
    auditEntry(actor, credential, 'resolved', now, { ...input, detail: 'granted' }),
  );
  const tokenExpiry =
    values.expiresAt === undefined
      ? undefined
      : Date.parse(String(values.expiresAt)) - deps.settings.refreshMarginMs;
  deps.resolveCache.set(cacheKey, resolved, now.getTime(), tokenExpiry);
  return resolved;
};
