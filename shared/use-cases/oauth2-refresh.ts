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
import { describeError } from '../errors/describe-error.ts';
import type { CommitOutcome, LeaseHolding, LeaseState } from '../ports/refresh-lease.ts';
import { withProviderClient } from './oauth-apps.ts';
import { isSecretMissing } from './secret-missing.ts';
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
  /**
   * The access token in hand still works: the refresh waits for a second with a Secrets Manager
   * write to spare, and until then the tokens are answered as they are (`deferred`).
   */
  readonly early?: boolean;
}

export interface Refreshed {
  readonly credential: Credential;
  readonly values: FieldValues;
  /**
   * False when the tokens in hand could not be stored before the deadline: they are served to this
   * caller all the same (what the provider issued is never dropped), and the credential says what
   * the next caller will find (rolled forward, or marked for reconnecting).
   */
  readonly stored: boolean;
  /** Not refreshed: the second's writes were spent and the access token in hand still works. */
  readonly deferred?: boolean;
  /**
   * The provider kept its refresh token: nothing the credential holds changed, so nothing was
   * written. The new access token lives in the caller's memory only.
   */
  readonly inMemory?: boolean;
}

/** The plain fields a refresh set, kept in its Secrets Manager version for a roll-forward. */
const REFRESHED_FIELDS = '$refreshedFields';

/** The one Secrets Manager version a refresh of `presented` writes: found again by its id alone. */
export const refreshedVersionId = (credentialId: string, presented: string): string => {
  const hex = createHash('sha256').update(`${credentialId}|${presented}|refreshed`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What an invalidation means, in words, after its code. */
const INVALID_BECAUSE: Record<string, string> = {
  refresh_token_not_returned: 'the provider rotates refresh tokens and answered without a new one',
  refresh_not_stored:
    'the provider issued new tokens and spent the old refresh token, and they could not be stored in time',
  default: 'the token endpoint refused the refresh token, or its answer was lost',
};

/** What was unavailable: only the token endpoint says anything about the provider's health. */
export type UnavailableSource = 'token_endpoint' | 'storage' | 'lease' | 'time';
const unavailableSources = new WeakMap<AppError, UnavailableSource>();
export const unavailableSourceOf = (error: unknown): UnavailableSource | undefined =>
  error instanceof AppError ? unavailableSources.get(error) : undefined;

/** `retryAfterSeconds` is the wait that will let a retry through: the back-off or the lease left. */
const unavailable = (message: string, source: UnavailableSource, waitMs = 1000) => {
  const error = new AppError('upstream_unavailable', message, {
    extensions: { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) },
  });
  unavailableSources.set(error, source);
  return error;
};
const invalid = (reason: string) =>
  new AppError('credential_invalid', `The OAuth2 credential needs reconnecting (${reason}).`, {
    extensions: { reason },
  });

/**
 * Retries a store with back-off until the invocation's deadline, with the same request token (a
 * retry after a lost answer is a no-op): an answer the provider gave is not dropped because AWS
 * refused a few writes. The lease is renewed as it runs out, so nobody presents the same refresh
 * token meanwhile.
 */
const untilDeadline = async <T>(
  deps: RefreshDependencies,
  lease: { holding: LeaseHolding },
  deadline: number,
  attempt: () => Promise<T>,
): Promise<T> => {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const pause = Math.min(100 * 2 ** (tried - 1), 1000);
      if (Date.now() + pause >= deadline) throw error;
      await sleep(pause);
      if (lease.holding.until - Date.now() < deps.refresh.storeBudgetMs) {
        const renewed = await deps.leases
          .renew(lease.holding, Date.now() + leaseDurationMs(deps.refresh))
          .catch(() => lease.holding);
        // Lost: the fenced commit will say so; a store meanwhile only helps the next holder.
        if (renewed) lease.holding = renewed;
      }
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
 * 2. The answer is read (that cannot throw) and the new tokens written as one Secrets Manager
 *    version whose id is derived from the presented refresh token's version, retried until the
 *    invocation's deadline; a provider that kept its refresh token writes nothing (the new access
 *    token stays in the caller's memory).
 * 3. The credential points at that version in one transaction fenced by the lease's owner and
 *    generation.
 * 4. A later holder that finds an attempt for the same refresh token rolls the stored version
 *    forward instead of presenting the token again; with nothing stored the token is never
 *    presented again and the credential is `invalid` (`refresh_response_lost`).
 * 5. What could not be stored by the deadline is served to the caller, never dropped (`inHand`).
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
    return { credential: latest, values: await valuesOf(latest), stored: true };
  };

  const inBackoff = (state: LeaseState | null) => (state?.backoffUntil ?? 0) > Date.now();
  const backoffLeft = (state: LeaseState | null) => (state?.backoffUntil ?? 0) - Date.now();

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
      if (inBackoff(lease.state))
        throw unavailable(
          'The token endpoint is unavailable; retry shortly.',
          'token_endpoint',
          backoffLeft(lease.state),
        );
      if (Date.now() >= waitUntil)
        throw unavailable(
          'Another refresh of this credential is still running; retry.',
          'lease',
          (lease.state?.leaseUntil ?? Date.now()) + settings.clockSkewMs - Date.now(),
        );
      await sleep(50 + Math.random() * 100);
      const done = await settled();
      if (done) return done;
      continue;
    }
    const held = { holding: lease.holding };
    let committed = false;
    try {
      const done = await settled();
      if (done) return done;
      const current = await valuesOf(stale);
      if (!context.force && context.isFresh(current))
        return { credential: stale, values: current, stored: true };
      const holding = held.holding;
      // The account's Secrets Manager writes are shared (50 a second): an early refresh takes one
      // of this deployment's, or waits, serving the tokens that still work.
      if (
        context.early &&
        !(await deps.leases.takeWriteSlot(actor.tenantId, deps.clock.now(), settings.secretWritesPerSecond))
      )
        return { credential: stale, values: current, stored: true, deferred: true };
      if (inBackoff(holding.state))
        throw unavailable(
          'The token endpoint is unavailable; retry shortly.',
          'token_endpoint',
          backoffLeft(holding.state),
        );

      // The refresh token is named by the secret version that holds it: nothing derived from a
      // secret, not even a hash, goes to DynamoDB.
      const presented = stale.secretVersionId;
      const earlier =
        holding.state.attemptVersion === presented &&
        (holding.state.attemptState === 'sent' || holding.state.attemptState === 'retryable')
          ? holding.state.attemptState
          : undefined;
      if (earlier === 'sent') {
        // Someone presented this refresh token and did not finish: its tokens are stored, or lost.
        const stored = await storedRefresh(deps, address, stale.id, presented);
        if (stored) {
          const result = await commitStored(deps, actor, stale, held, stored, context);
          committed = true;
          return result;
        }
        await invalidate(deps, actor, stale, held.holding, 'refresh_response_lost', context);
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
        throw unavailable('Not enough time left to refresh the access token safely; retry.', 'time');
      // A provider component's token URL is its descriptor's and its client the tenant's app: read
      // before the attempt is recorded, so a missing app never marks a refresh token as presented.
      const presentedValues = component.provider
        ? await withProviderClient(deps, actor.tenantId, component, current)
        : current;
      if (!(await recordSending(deps, holding, presented))) continue;

      const exchange = await deps.tokens.exchange(presentedValues, timeoutMs);
      if (exchange.kind === 'not_sent') {
        await deps.leases.recordAttempt(holding, { state: 'done', secretVersionId: presented });
        throw unavailable(`The token endpoint could not be reached (${exchange.detail}).`, 'token_endpoint');
      }
      if (exchange.kind === 'unknown') {
        // The provider may have rotated the token and we will never see its answer.
        await invalidate(deps, actor, stale, holding, 'refresh_response_lost', context);
        committed = true;
        throw invalid('refresh_response_lost');
      }
      const answer = interpretTokenResponse(exchange.status, exchange.body, deps.clock.now());
      if (answer.kind === 'unavailable') {
        const backoffMs = Math.min(
          Math.max((exchange.retryAfterSeconds ?? 0) * 1000, settings.backoffMs),
          60_000,
        );
        await deps.leases.recordAttempt(holding, {
          state: 'retryable',
          secretVersionId: presented,
          backoffUntil: Date.now() + backoffMs,
        });
        throw unavailable(
          `The token endpoint answered ${answer.status}; retry shortly.`,
          'token_endpoint',
          backoffMs,
        );
      }
      const result = await settle(deps, actor, stale, current, held, answer, context, earlier);
      committed = true;
      return result;
    } finally {
      if (!committed) await deps.leases.release(held.holding).catch(() => {});
    }
  }
};

/** The tokens an earlier holder stored for `presented` before it could commit them, if it did. */
const storedRefresh = async (
  deps: RefreshDependencies,
  address: { tenantId: string; credentialId: string },
  credentialId: string,
  presented: string,
): Promise<{ versionId: string; values: FieldValues } | undefined> => {
  const versionId = refreshedVersionId(credentialId, presented);
  try {
    return { versionId, values: (await deps.secrets.read(address, versionId)).values };
  } catch (error) {
    if (isSecretMissing(error)) return undefined;
    throw error;
  }
};

/** Stores what the provider said: new tokens, or that it refused. */
const settle = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  current: FieldValues,
  held: { holding: LeaseHolding },
  answer: Exclude<TokenAnswer, { kind: 'unavailable' }>,
  context: RefreshContext,
  earlier: 'sent' | 'retryable' | undefined,
): Promise<Refreshed> => {
  const { holding } = held;
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
  const kept =
    answer.tokens.refreshToken === undefined || answer.tokens.refreshToken === current.refreshToken;
  if (kept && !context.force && stale.status === 'verified') {
    // Only the access token changed: kept in memory, never written. Secrets Manager's writes are
    // few and shared by the account (50 a second); a token that lives an hour needs none of them.
    await deps.leases
      .recordAttempt(holding, { state: 'done', secretVersionId: stale.secretVersionId })
      .catch(() => false);
    await deps.leases.release(holding).catch(() => {});
    return { credential: stale, values: renewed, stored: true, inMemory: true };
  }
  const { plain, secret } = validateFields(component, renewed);
  // One Secrets Manager version per refresh (AWS advises against frequent writes, and unlabelled
  // versions count against the secret's quota for 24 hours), found again by its id alone. It
  // becomes AWSCURRENT: the newest tokens the provider issued, which is what a reader without the
  // item (the purger revoking a deleted credential's token) must find. Stored even by a holder
  // that lost its lease, since it holds the only copy: the next holder rolls it forward, and only
  // the fenced commit points the credential at it.
  const versionId = refreshedVersionId(stale.id, stale.secretVersionId);
  try {
    await untilDeadline(deps, held, context.deadline, () =>
      deps.secrets.putVersion(
        address,
        { ...bindSecret(component, plain, secret), [REFRESHED_FIELDS]: JSON.stringify(plain) },
        versionId,
      ),
    );
  } catch (error) {
    if (error instanceof AppError) throw error;
    return inHand(deps, actor, stale, held, { renewed, current, answer, context, error });
  }
  return commitStored(
    deps,
    actor,
    stale,
    held,
    { versionId, values: { [REFRESHED_FIELDS]: JSON.stringify(plain) } },
    context,
    renewed,
  );
};

/**
 * Points the credential at the refresh's version, in the one write fenced by the lease. When that
 * write cannot be made before the deadline, the tokens in hand are served all the same: the lease
 * still records the attempt, so the next holder rolls the stored version forward.
 */
const commitStored = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  held: { holding: LeaseHolding },
  stored: { versionId: string; values: FieldValues },
  context: RefreshContext,
  inHandValues?: FieldValues,
): Promise<Refreshed> => {
  const component = deps.components.get(stale.componentId);
  const plain = JSON.parse(String(stored.values[REFRESHED_FIELDS] ?? '{}')) as FieldValues;
  const values = inHandValues ?? { ...plain, ...unbindSecret(component, plain, stored.values) };
  const now = deps.clock.now();
  // A rotated refresh token brings its own expiry: warned of afresh when its day comes.
  const expiryWarnedFor = carriedExpiryWarning(component, stale.expiryWarnedFor, plain);
  let outcome: Awaited<ReturnType<RefreshDependencies['leases']['commit']>>;
  try {
    outcome = await untilDeadline(deps, held, context.deadline, () =>
      deps.leases.commit(
        held.holding,
        stale,
        stale.secretVersionId,
        {
          fields: plain,
          secretVersionId: stored.versionId,
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
  } catch (error) {
    if (error instanceof AppError) throw error;
    deps.logger.error('refreshed tokens stored but not committed; the next holder rolls them forward', {
      credentialId: stale.id,
      ...describeError(error),
    });
    // The attempt stays recorded as sent: the next holder finds the stored version, at once.
    await deps.leases.release(held.holding).catch(() => {});
    return { credential: stale, values, stored: false };
  }
  if (outcome === 'committed')
    return {
      credential: {
        ...stale,
        fields: plain,
        secretVersionId: stored.versionId,
        status: 'verified',
        statusReason: null,
        expiryWarnedFor,
        version: stale.version + 1,
      },
      values,
      stored: true,
    };
  // Another holder took over (our lease expired) or the credential was re-entered: theirs stands.
  deps.logger.warn('refresh result not stored: superseded', { credentialId: stale.id, outcome });
  const latest = await deps.credentials.get(actor.tenantId, stale.id);
  if (!latest) throw notFound('Credential');
  if (latest.status === 'invalid') throw invalid(latest.statusReason ?? 'invalid');
  throw unavailable('The credential changed while it was being refreshed; retry.', 'lease');
};

/**
 * The provider answered with tokens and Secrets Manager would not store them before the deadline.
 * They are served to this caller all the same. If the provider rotated, the refresh token stored
 * is spent: the credential is marked for reconnecting (`refresh_not_stored`), so nobody presents
 * it again and a person is told. If it did not, the stored refresh token still works: the lease
 * says the attempt is done, and the next holder refreshes as usual.
 */
const inHand = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  held: { holding: LeaseHolding },
  found: {
    renewed: FieldValues;
    current: FieldValues;
    answer: Extract<TokenAnswer, { kind: 'tokens' }>;
    context: RefreshContext;
    error: unknown;
  },
): Promise<Refreshed> => {
  // A store whose answer was lost may have landed: then it is stored, and committed like any other.
  const landed = await storedRefresh(
    deps,
    { tenantId: actor.tenantId, credentialId: stale.id },
    stale.id,
    stale.secretVersionId,
  ).catch(() => undefined);
  if (landed) return commitStored(deps, actor, stale, held, landed, found.context, found.renewed);
  deps.logger.error('could not store refreshed tokens before the deadline; served to this caller', {
    credentialId: stale.id,
    ...describeError(found.error),
  });
  const rotated =
    found.answer.tokens.refreshToken !== undefined &&
    found.answer.tokens.refreshToken !== found.current.refreshToken;
  if (!rotated) {
    await deps.leases
      .recordAttempt(held.holding, { state: 'done', secretVersionId: stale.secretVersionId })
      .catch(() => false);
    await deps.leases.release(held.holding).catch(() => {});
    return { credential: stale, values: found.renewed, stored: false };
  }
  const outcome = await invalidate(deps, actor, stale, held.holding, 'refresh_not_stored', found.context);
  return {
    // Marked in the same write that bumped its version: this caller's copy is of that version.
    credential:
      outcome === 'committed'
        ? { ...stale, status: 'invalid', statusReason: 'refresh_not_stored', version: stale.version + 1 }
        : stale,
    values: found.renewed,
    stored: false,
  };
};

const invalidate = async (
  deps: RefreshDependencies,
  actor: Actor,
  stale: Credential,
  holding: LeaseHolding,
  reason: string,
  context: RefreshContext,
): Promise<CommitOutcome | 'failed'> => {
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
  return outcome;
};
