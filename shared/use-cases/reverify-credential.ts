import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { ComponentDefinition } from '../domain/component.ts';
import type { Credential } from '../domain/credential.ts';
import { validateFields } from '../domain/credential-fields.ts';
import { carriedExpiryWarning, expiryWarning, nextCheckAt, transitionOf } from '../domain/health-schedule.ts';
import { refreshTimeBudgetMs } from '../domain/refresh-timing.ts';
import { bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import { AppError } from '../errors/app-error.ts';
import type { VerificationResult } from '../ports/credential-verifier.ts';
import { getCredential } from './get-credential.ts';
import { refreshCredential, unavailableSourceOf } from './oauth2-refresh.ts';
import { isSecretMissing, markSecretMissing } from './secret-missing.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { stateOf } from './verify-before-saving.ts';

export interface ReverifyResult {
  readonly credential: Credential;
  /** Without `updatedValues`: renewed secrets are stored, never returned. */
  readonly verification: VerificationResult;
}

/**
 * `POST /credentials/{id}/verify`, and the scheduled check: re-runs the dry request on a stored
 * credential and records its health (`verified` | `invalid` | `unreachable`, the reason,
 * `lastVerifiedAt`, when it is checked next) on the metadata. A scheduled check records an event
 * only when the state changes (`transitionOf`).
 */
export const reverifyCredential = async (
  deps: UseCaseDependencies,
  actor: Actor,
  credentialId: string,
  options: { readonly scheduled?: boolean; readonly current?: Credential } = {},
): Promise<ReverifyResult> => {
  const current = options.current ?? (await getCredential(deps, actor, credentialId));
  try {
    return await reverifyStored(deps, actor, current, options.scheduled ?? false);
  } catch (error) {
    if (!isSecretMissing(error)) throw error;
    // Found gone by this check: the credential says so now (with its event), not at the next sweep.
    // A person who asked is answered with the problem; the scheduled run records the outcome.
    await markSecretMissing(deps, actor, current, 'the secret could not be read');
    if (!options.scheduled) throw error;
    return {
      credential: await getCredential(deps, actor, current.id),
      verification: { outcome: 'failed', reason: 'invalid_credentials', detail: error.message },
    };
  }
};

const reverifyStored = async (
  deps: UseCaseDependencies,
  actor: Actor,
  current: Credential,
  scheduled: boolean,
): Promise<ReverifyResult> => {
  const credentialId = current.id;
  const options = { scheduled };
  const component = deps.components.get(current.componentId);
  if (component.verification.kind === 'oauth2' && current.secretFieldsSet.includes('refreshToken'))
    return reverifyByRefresh(deps, actor, current, options.scheduled ?? false);
  const address = { tenantId: actor.tenantId, credentialId };
  const stored = await deps.secrets.read(address, current.secretVersionId);
  // Only to the destination the secret was saved with: an item changed behind the API is refused.
  const storedSecret = unbindSecret(component, current.fields, stored.values);
  const result = await deps.verifier.verify(component, { ...current.fields, ...storedSecret });
  const now = deps.clock.now();
  let renewed: { secretVersionId?: string; fields?: Credential['fields'] } = {};
  if (result.outcome === 'verified' && result.updatedValues) {
    const { plain, secret } = validateFields(component, result.updatedValues);
    renewed = { fields: plain };
    const bound = bindSecret(component, plain, secret);
    if (!isDeepStrictEqual(bound, stored.values)) {
      renewed.secretVersionId = await deps.secrets.putVersion(address, bound, randomUUID());
    }
  }
  const state = stateOf(result, now);
  const failures = state.status === 'unreachable' ? (current.healthFailures ?? 0) + 1 : 0;
  const action = transitionOf(current.status, state.status, options.scheduled ?? false);
  const fields = renewed.fields ?? current.fields;
  const expiring = dueExpiryWarning(component, fields, current.expiryWarnedFor, now);
  const expiryWarnedFor = expiring ?? carriedExpiryWarning(component, current.expiryWarnedFor, fields);
  const credential = await deps.credentials.update(
    current,
    {
      ...state,
      ...renewed,
      checkDueAt: nextCheckAt(
        component,
        { id: current.id, ...state, fields, expiryWarnedFor },
        now,
        failures,
        deps.health,
      ),
      healthFailures: failures,
      expiryWarnedFor,
      updatedAt: now.toISOString(),
      updatedBy: actor.subject,
    },
    [
      ...(action
        ? [auditEntry(actor, current, action, now, state.statusReason ? { detail: state.statusReason } : {})]
        : []),
      ...(expiring ? [auditEntry(actor, current, 'expiring', now, { detail: expiring })] : []),
    ],
  );
  const { updatedValues: _renewedValues, ...verification } = result as VerificationResult & {
    updatedValues?: unknown;
  };
  return { credential, verification };
};

/** A declared expiry within its warning days, not yet warned of: said once, whatever the check found. */
const dueExpiryWarning = (
  component: ComponentDefinition,
  fields: Credential['fields'],
  warnedFor: string | null | undefined,
  now: Date,
): string | undefined => {
  const warning = expiryWarning(component, {
    fields,
    expiryWarnedFor: carriedExpiryWarning(component, warnedFor, fields),
  });
  return warning && now.getTime() >= warning.warnAt ? warning.expiresAt : undefined;
};

/**
 * A refresh proves an OAuth2 credential, and it must be the one single-flight refresh that resolve
 * uses: a second path presenting the same rotating refresh token would spend it twice.
 */
const reverifyByRefresh = async (
  deps: UseCaseDependencies,
  actor: Actor,
  current: Credential,
  scheduled: boolean,
): Promise<ReverifyResult> => {
  try {
    const refreshed = await refreshCredential(deps, actor, current, {
      audit: {},
      deadline: Date.now() + refreshTimeBudgetMs(deps.refresh),
      force: true,
      isFresh: () => false,
      // A scheduled keep-alive is never urgent: it waits for a second with a write to spare.
      early: scheduled,
    });
    if (refreshed.deferred) throw storageUnavailable();
    if (!refreshed.stored) {
      // The provider answered; our own storage did not in time. Marked for reconnecting (the
      // provider spent the refresh token), or left for the next check (it did not).
      if (refreshed.credential.status === 'invalid') throw invalidCredential();
      throw storageUnavailable();
    }
    const { credential } = refreshed;
    // The refresh recorded `refreshed`; after a failure it is also a recovery, said once.
    if (current.status === 'invalid' || current.status === 'unreachable')
      await deps.credentials.appendAudit(auditEntry(actor, credential, 'recovered', deps.clock.now()));
    return { credential: await warnOfExpiry(deps, actor, credential), verification: { outcome: 'verified' } };
  } catch (error) {
    if (isSecretMissing(error)) throw error;
    // Only the token endpoint's silence says the provider is unreachable: a storage failure, a
    // lease held elsewhere or a short deadline is ours, and the scheduled run postpones the check.
    if (scheduled && unavailableSourceOf(error) === 'token_endpoint')
      return markUnreachable(deps, actor, current, (error as AppError).message);
    if (!(error instanceof AppError) || error.code !== 'credential_invalid') throw error;
    const credential = await getCredential(deps, actor, current.id);
    return {
      credential,
      verification: {
        outcome: 'failed',
        reason: 'invalid_credentials',
        detail: credential.statusReason ?? 'the token endpoint refused the refresh token.',
      },
    };
  }
};

const invalidCredential = () =>
  new AppError('credential_invalid', 'The refreshed tokens could not be stored; reconnect the account.', {
    extensions: { reason: 'refresh_not_stored' },
  });
const storageUnavailable = () =>
  new AppError(
    'upstream_unavailable',
    'The refreshed tokens could not be stored yet; the check is retried.',
    {
      extensions: { retryAfterSeconds: 1 },
    },
  );

/**
 * After a refresh, the refresh token's own expiry (a provider that ends grants on a fixed day tells
 * it with every token): warned of once, and the check comes back after the warning.
 */
const warnOfExpiry = async (deps: UseCaseDependencies, actor: Actor, credential: Credential) => {
  const now = deps.clock.now();
  const component = deps.components.get(credential.componentId);
  const expiring = dueExpiryWarning(component, credential.fields, credential.expiryWarnedFor, now);
  if (!expiring) return credential;
  return deps.credentials
    .update(
      credential,
      {
        expiryWarnedFor: expiring,
        checkDueAt: nextCheckAt(component, { ...credential, expiryWarnedFor: expiring }, now, 0, deps.health),
        updatedAt: now.toISOString(),
        updatedBy: actor.subject,
      },
      [auditEntry(actor, credential, 'expiring', now, { detail: expiring })],
    )
    .catch((error: unknown) => {
      // Changed since the refresh (another holder's write): the next check warns.
      if (error instanceof AppError && error.code === 'version_mismatch') return credential;
      throw error;
    });
};

/** The token endpoint could not answer: unreachable (never invalid), retried with back-off. */
const markUnreachable = async (
  deps: UseCaseDependencies,
  actor: Actor,
  current: Credential,
  detail: string,
): Promise<ReverifyResult> => {
  const now = deps.clock.now();
  const failures = (current.healthFailures ?? 0) + 1;
  const component = deps.components.get(current.componentId);
  const reason = `unreachable: ${detail}`.slice(0, 300);
  const action = transitionOf(current.status, 'unreachable', true);
  const credential = await deps.credentials.update(
    current,
    {
      status: 'unreachable',
      statusReason: reason,
      checkDueAt: nextCheckAt(
        component,
        { id: current.id, status: 'unreachable' },
        now,
        failures,
        deps.health,
      ),
      healthFailures: failures,
      updatedAt: now.toISOString(),
      updatedBy: actor.subject,
    },
    action ? [auditEntry(actor, current, action, now, { detail: 'unreachable' })] : [],
  );
  return { credential, verification: { outcome: 'failed', reason: 'unreachable', detail } };
};
