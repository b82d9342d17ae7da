import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.ts';
import { type AuditEntry, auditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import { type FieldValues, validateFields } from '../domain/credential-fields.ts';
import { carriedExpiryWarning, nextCheckAt } from '../domain/health-schedule.ts';
import { applyTokens, interpretTokenResponse, type TokenAnswer } from '../domain/oauth2-tokens.ts';
import { leaseDurationMs } from '../domain/refresh-timing.ts';
import { bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import { describeError } from '../ports/logger.ts';
import type { LeaseHolding, LeaseState } from '../ports/refresh-lease.ts';
import { withProviderClient } from './oauth-apps.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/** Every function has the refresh ports: resolve refreshes, and so does re-verification. */
export type RefreshDependencies = UseCaseDependencies;

export interface RefreshContext {
  /** Recorded on the audit record (flow, step, execution of the resolve that refreshed). */
  readonly audit: Pick<AuditEntry, 'flowId' | 'stepId' | 'executionId'>;
  /** Epoch ms by which everything must be stored (the Lambda's remaining time, less a margin). */
  readonly deadline: number;
  /** Refresh even if the access token is not about to expire (re-verification). */
  readonly force?: boolean;
  /** Not about to expire: nothing to do. */
  readonly isFresh: (values: FieldValues) => boolean;
}

export interface Refreshed {
  readonly credential: Credential;
  readonly values: FieldValues;
}

/** The staging label of a token response stored before it is read (Secrets Manager custom label). */
export const PENDING_STAGE = 'TOKENRESPONSE';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A ClientRequestToken that is the same on every retry of one holder's store, and only then. */
const requestToken = (holding: LeaseHolding, purpose: string): string => {
  const hex = createHash('sha256')
    .update(`${holding.credentialId}|${holding.generation}|${holding.owner}|${purpose}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

/** What an invalidation means, in words, after its code. */
const INVALID_BECAUSE: Record<string, string> = {
  refresh_token_not_returned: 'the provider rotates refresh tokens and answered without a new one',
  default: 'the token endpoint refused the refresh token, or its answer was lost',
};

const unavailable = (message: string) => new AppError('upstream_unavailable', message);
const invalid = (reason: string) =>
  new AppError('credential_invalid', `The OAuth2 credential needs reconnecting (${reason}).`, {
    extensions: { reason },
  });

/**
 * Retries a store with back-off for as long as the lease leaves time, with the same request token
 * (a retry after a lost answer is a no-op): an answer the provider gave is not dropped because
 * Secrets Manager refused a few writes. When the lease says stop, the next holder rolls forward
 * from what was staged.
 */
const withRetries = async <T>(attempt: () => Promise<T>, until: number): Promise<T> => {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const pause = Math.min(100 * 2 ** (tried - 1), 500);
      if (Date.now() + pause >= until) throw error;
      await sleep(pause);
    }
  }
};

/**
 * Records that the refresh token is about to be presented. If that write's outcome is unknown, the
 * token was still not presented: the lease says so (`done`) before the error goes up, so the next
 * holder refreshes normally instead of assuming a lost answer.
 */
const recordSending = async (
  deps: RefreshDependencies,
  holding: LeaseHolding,
  presented: string,
): Promise<boolean> => {
  try {
    return await deps.leases.recordAttempt(holding, { state: 'sent', secretVersionId: presented });
  } catch (error) {
    await deps.leases
      .recordAttempt(holding, { state: 'done', secretVersionId: presented })
      .catch(() => false);
    throw error;
  }
};

/**
 * The single-flight refresh of an OAuth2 credential, safe against every failure after the provider
 * may have rotated the refresh token:
 *
 * 1. Only the lease holder calls the token endpoint, and records the attempt (which secret
 *    version's refresh token it presents) on the lease before calling.
 * 2. The raw answer is stored (a Secrets Manager version under its own label) before it is read,
 *    and reading it cannot throw.
 * 3. The new tokens become AWSCURRENT and the credential points at them in one transaction fenced by
 *    the lease's owner and generation.
 * 4. A later holder that finds an attempt for the same refresh token rolls the stored answer
 *    forward instead of presenting the token again; with no stored answer the token is never
 *    presented again and the credential is `invalid` (`refresh_response_lost`).
 */
export const refreshCredential = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  context: RefreshContext,
): Promise<Refreshed> => {
  const settings = deps.refresh;
  const address = { tenantId: actor.tenantId, credentialId: stale.id };
  const component = deps.components.get(stale.componentId);
  const owner = randomUUID();
  const waitUntil = Math.min(Date.now() + settings.leaseWaitMs, context.deadline);

  const valuesOf = async (credential: Credential): Promise<FieldValues> => ({
    ...credential.fields,
    ...unbindSecret(
      component,
      credential.fields,
      (await deps.secrets.read(address, credential.secretVersionId)).values,
    ),
  });

  /** What another holder may have done meanwhile: refreshed, invalidated, or nothing yet. */
  const settled = async (): Promise<Refreshed | null> => {
    const latest = await deps.credentials.get(actor.tenantId, stale.id);
    if (!latest) throw notFound('Credential');
    if (latest.status === 'invalid') throw invalid(latest.statusReason ?? 'invalid');
    if (latest.secretVersionId === stale.secretVersionId) return null;
    return { credential: latest, values: await valuesOf(latest) };
  };

  const inBackoff = (state: LeaseState | null) => (state?.backoffUntil ?? 0) > Date.now();

  for (;;) {
    const lease = await deps.leases.acquire(
      actor.tenantId,
      stale.id,
      owner,
      deps.clock.now(),
      leaseDurationMs(settings),
      settings.clockSkewMs,
    );
    if (!lease.acquired) {
      // A provider outage: answer at once rather than queue behind the holder and call again.
      if (inBackoff(lease.state)) throw unavailable('The token endpoint is unavailable; retry shortly.');
      if (Date.now() >= waitUntil)
        throw unavailable('Another refresh of this credential is still running; retry.');
      await sleep(50 + Math.random() * 100);
      const done = await settled();
      if (done) return done;
      continue;
    }
    const holding = lease.holding;
    let committed = false;
    try {
      const done = await settled();
      if (done) return done;
      const current = await valuesOf(stale);
      if (!context.force && context.isFresh(current)) return { credential: stale, values: current };
      if (inBackoff(holding.state)) throw unavailable('The token endpoint is unavailable; retry shortly.');

      // The refresh token is named by the secret version that holds it: nothing derived from a
      // secret, not even a hash, goes to DynamoDB.
      const presented = stale.secretVersionId;
      const earlier =
        holding.state.attemptVersion === presented &&
        (holding.state.attemptState === 'sent' || holding.state.attemptState === 'retryable')
          ? holding.state.attemptState
          : undefined;
      if (earlier === 'sent') {
        // Someone presented this refresh token and did not finish: its answer is stored, or lost.
        const pending = await deps.secrets.readStaged(address, PENDING_STAGE);
        if (pending && pending.values.presented === presented) {
          const answer = interpretTokenResponse(
            Number(pending.values.status),
            String(pending.values.body ?? ''),
            new Date(Number(pending.values.receivedAt) || Date.now()),
          );
          const result = await settle(
            deps,
            actor,
            stale,
            current,
            holding,
            answer.kind === 'unavailable' ? { kind: 'unusable' } : answer,
            context,
            'sent',
          );
          committed = true;
          return result;
        }
        await invalidate(deps, actor, stale, holding, 'refresh_response_lost', context);
        committed = true;
        throw invalid('refresh_response_lost');
      }

      // Never start a call that could not finish and be stored while the lease and the Lambda last.
      const storesMs = 2 * settings.storeBudgetMs;
      const timeoutMs = Math.min(
        settings.tokenTimeoutMs,
        holding.until - Date.now() - storesMs,
        context.deadline - Date.now() - storesMs,
      );
      if (timeoutMs < Math.min(1000, settings.tokenTimeoutMs))
        throw unavailable('Not enough time left to refresh the access token safely; retry.');
      // A provider component's token URL is its descriptor's and its client the tenant's app: read
      // before the attempt is recorded, so a missing app never marks a refresh token as presented.
      const presentedValues = component.provider
        ? await withProviderClient(deps, actor.tenantId, component, current)
        : current;
      if (!(await recordSending(deps, holding, presented))) continue;

      const exchange = await deps.tokens.exchange(presentedValues, timeoutMs);
      if (exchange.kind === 'not_sent') {
        await deps.leases.recordAttempt(holding, { state: 'done', secretVersionId: presented });
        throw unavailable(`The token endpoint could not be reached (${exchange.detail}).`);
      }
      if (exchange.kind === 'unknown') {
        // The provider may have rotated the token and we will never see its answer.
        await invalidate(deps, actor, stale, holding, 'refresh_response_lost', context);
        committed = true;
        throw invalid('refresh_response_lost');
      }
      const receivedAt = deps.clock.now();
      if (exchange.status >= 200 && exchange.status < 300) {
        // Kept before it is read: whatever happens next, the new tokens are not lost.
        await storeOrUnavailable(deps, stale, () =>
          withRetries(
            () =>
              deps.secrets.putStaged(
                address,
                {
                  presented,
                  status: exchange.status,
                  body: exchange.body.slice(0, 60_000),
                  receivedAt: receivedAt.getTime(),
                },
                requestToken(holding, 'response'),
                PENDING_STAGE,
              ),
            holding.until,
          ),
        );
      }
      const answer = interpretTokenResponse(exchange.status, exchange.body, receivedAt);
      if (answer.kind === 'unavailable') {
        await deps.leases.recordAttempt(holding, {
          state: 'retryable',
          secretVersionId: presented,
          backoffUntil:
            Date.now() +
            Math.min(Math.max((exchange.retryAfterSeconds ?? 0) * 1000, settings.backoffMs), 60_000),
        });
        throw unavailable(`The token endpoint answered ${answer.status}; retry shortly.`);
      }
      const result = await settle(deps, actor, stale, current, holding, answer, context, earlier);
      committed = true;
      return result;
    } finally {
      if (!committed) await deps.leases.release(holding).catch(() => {});
    }
  }
};

/** Stores what the provider said: new tokens, or that it refused. */
const settle = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  current: FieldValues,
  holding: LeaseHolding,
  answer: Exclude<TokenAnswer, { kind: 'unavailable' }>,
  context: RefreshContext,
  earlier: 'sent' | 'retryable' | undefined,
): Promise<Refreshed> => {
  if (answer.kind === 'refused') {
    // invalid_grant right after an attempt whose answer we never saw: the provider had rotated it.
    const reason =
      answer.error === 'invalid_grant' && earlier !== undefined ? 'refresh_response_lost' : answer.error;
    await invalidate(deps, actor, stale, holding, reason, context);
    throw invalid(reason);
  }
  if (answer.kind === 'unusable') {
    await invalidate(deps, actor, stale, holding, 'refresh_response_lost', context);
    throw invalid('refresh_response_lost');
  }
  const component = deps.components.get(stale.componentId);
  if (answer.tokens.refreshToken === undefined && component.provider?.rotatesRefreshTokens) {
    // The provider rotates, so the token just presented is spent: keeping it would present it
    // again on the next refresh (a reuse that revokes the grant). Reconnect instead.
    await invalidate(deps, actor, stale, holding, 'refresh_token_not_returned', context);
    throw invalid('refresh_token_not_returned');
  }
  const address = { tenantId: actor.tenantId, credentialId: stale.id };
  const renewed = applyTokens(current, answer.tokens, component);
  const { plain, secret } = validateFields(component, renewed);
  // A holder whose lease was taken over (its clock ran past the allowance) writes no current
  // version: the answer it staged is the next holder's to roll forward. The fenced re-record is
  // the check (it changes nothing for a holder that still holds).
  const stillHeld = await storeOrUnavailable(deps, stale, () =>
    deps.leases.recordAttempt(holding, { state: 'sent', secretVersionId: stale.secretVersionId }),
  );
  if (!stillHeld) throw unavailable('This refresh lost its lease; the next holder completes it.');
  const secretVersionId = await storeOrUnavailable(deps, stale, () =>
    withRetries(
      () =>
        deps.secrets.putVersion(
          address,
          bindSecret(component, plain, secret),
          requestToken(holding, 'tokens'),
        ),
      holding.until,
    ),
  );
  const now = deps.clock.now();
  // A rotated refresh token brings its own expiry: warned of afresh when its day comes.
  const expiryWarnedFor = carriedExpiryWarning(component, stale.expiryWarnedFor, plain);
  const outcome = await storeOrUnavailable(deps, stale, () =>
    deps.leases.commit(
      holding,
      stale,
      stale.secretVersionId,
      {
        fields: plain,
        secretVersionId,
        status: 'verified',
        statusReason: null,
        lastVerifiedAt: now.toISOString(),
        checkDueAt: nextCheckAt(
          component,
          { ...stale, fields: plain, status: 'verified', statusReason: null, expiryWarnedFor },
          now,
          0,
          deps.health,
        ),
        healthFailures: 0,
        expiryWarnedFor,
        updatedAt: now.toISOString(),
        updatedBy: actor.subject,
      },
      auditEntry(actor, stale, 'refreshed', now, context.audit),
    ),
  );
  if (outcome === 'committed')
    return {
      credential: {
        ...stale,
        fields: plain,
        secretVersionId,
        status: 'verified',
        statusReason: null,
        expiryWarnedFor,
        version: stale.version + 1,
      },
      values: renewed,
    };
  // Another holder took over (our lease expired) or the credential was re-entered: theirs stands.
  deps.logger.warn('refresh result not stored: superseded', { credentialId: stale.id, outcome });
  const latest = await deps.credentials.get(actor.tenantId, stale.id);
  if (!latest) throw notFound('Credential');
  if (latest.status === 'invalid') throw invalid(latest.statusReason ?? 'invalid');
  throw unavailable('The credential changed while it was being refreshed; retry.');
};

/**
 * A store that failed after the provider answered: the answer is kept (or the attempt recorded),
 * so the next holder finishes the job; this caller is told to retry, never "internal".
 */
const storeOrUnavailable = async <T>(
  deps: RefreshDependencies,
  stale: Credential,
  store: () => Promise<T>,
): Promise<T> => {
  try {
    return await store();
  } catch (error) {
    if (error instanceof AppError) throw error;
    deps.logger.error('could not store a refresh result; the next holder rolls it forward', {
      credentialId: stale.id,
      ...describeError(error),
    });
    throw unavailable('The refreshed tokens could not be stored yet; retry.');
  }
};

const invalidate = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  holding: LeaseHolding,
  reason: string,
  context: RefreshContext,
): Promise<void> => {
  const now = deps.clock.now();
  const outcome = await deps.leases
    .commit(
      holding,
      stale,
      stale.secretVersionId,
      {
        status: 'invalid',
        statusReason: `${reason}: ${INVALID_BECAUSE[reason] ?? INVALID_BECAUSE.default}. Reconnect the account.`,
        lastVerifiedAt: now.toISOString(),
        // Nothing to check until it is reconnected: the refused refresh token proves nothing more.
        checkDueAt: null,
        updatedAt: now.toISOString(),
        updatedBy: actor.subject,
      },
      auditEntry(actor, stale, 'invalidated', now, { ...context.audit, detail: reason }),
    )
    .catch((error: unknown) => {
      deps.logger.error('could not record an invalid credential', {
        credentialId: stale.id,
        ...describeError(error),
      });
      return 'failed' as const;
    });
  if (outcome !== 'committed')
    deps.logger.warn('invalidation not stored', { credentialId: stale.id, outcome });
};
