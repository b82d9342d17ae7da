import { AWS_CALL_TIMEOUTS } from '../shared/composition/aws-call-timeouts.ts';
import { DEFAULT_VERIFICATION_TIMEOUT_MS } from '../shared/config/service-config.ts';
import {
  DEFAULT_REFRESH_SETTINGS,
  REVOCATION_TIMEOUT_MS,
  type RefreshSettings,
  refreshTimeBudgetMs,
} from '../shared/domain/refresh-timing.ts';
import { TIMEOUT_EARLY_MS } from '../shared/lambda/invocation-signal.ts';
import { PROXY_EXCHANGE_BUDGET_MS } from '../shared/use-cases/proxy-request.ts';
import { HEALTH_RUN_MS, HEALTH_RUN_STOP_MARGIN_MS } from '../shared/use-cases/verify-due-credentials.ts';
import type { AnyFunctionName } from './function-catalog.ts';

/** The purger's stream batch (the event source mapping's batch size). */
export const PURGE_BATCH_SIZE = 25;

/**
 * Every function's timeout, added up from the waits its code can make, so that a timeout is never
 * a guess and an HTTP route always answers before API Gateway gives up on it.
 */

/** HTTP API's integration timeout: the route answers 503 after this, whatever the function does. */
export const HTTP_API_TIMEOUT_MS = 30_000;
/**
 * A cold start before the handler runs: the init of a 0.4–0.8 MB bundle (about 0.1–0.3 s measured,
 * see docs/benchmarks.md) with room for a slow one. API Gateway's 30 s include it; the function's
 * timeout does not.
 */
export const COLD_START_ALLOWANCE_MS = 2000;
/**
 * The AWS calls of one invocation: each is milliseconds, in at most about 10 sequential rounds
 * (asserted per operation by the call-count tests), and one of them may be stuck for a whole
 * attempt and then be retried after the SDK's backoff. A call stuck longer is cut off at the
 * invocation's end (the clients share its abort signal), never carried into the next invocation.
 */
export const AWS_ROUNDS_MS = 10 * 100;
export const STUCK_AWS_ATTEMPT_MS =
  AWS_CALL_TIMEOUTS.connectionTimeout + AWS_CALL_TIMEOUTS.requestTimeout + 1000;

/**
 * Behind HTTP, a refresh waits less for another holder than a workflow's resolve does, so that
 * waiting and then holding the lease fit under API Gateway's 30 s.
 */
export const HTTP_REFRESH_LEASE_WAIT_MS = 5000;

export interface TimeBudget {
  readonly waits: Readonly<Record<string, number>>;
  /** What the function's timeout is set to: every wait, plus middy's early answer. */
  readonly timeoutSeconds: number;
}

const budget = (waits: Record<string, number>): TimeBudget => ({
  waits,
  timeoutSeconds: Math.ceil(
    (Object.values(waits).reduce((total, ms) => total + ms, 0) + TIMEOUT_EARLY_MS) / 1000,
  ),
});

const refreshSettings = (leaseWaitMs: number): RefreshSettings => ({
  ...DEFAULT_REFRESH_SETTINGS,
  tokenTimeoutMs: DEFAULT_VERIFICATION_TIMEOUT_MS,
  leaseWaitMs,
});

const AWS_CALLS = { 'AWS calls': AWS_ROUNDS_MS, 'one stuck AWS attempt': STUCK_AWS_ATTEMPT_MS };

/** The waits each kind of function makes, in the order its code makes them. */
export const timeBudgetOf = (
  functionName: AnyFunctionName,
  access: { verifies?: boolean; refreshes?: boolean; revokes?: boolean },
): TimeBudget => {
  if (access.revokes)
    // A batch of deleted credentials, each revoked once at its provider before its secret goes.
    return budget({
      ...AWS_CALLS,
      'one revocation per deleted credential': PURGE_BATCH_SIZE * REVOCATION_TIMEOUT_MS,
    });
  if (functionName === 'verify-due-credentials')
    // Works to its own deadline (what is left stays due for the next run), then lets the last
    // checks finish.
    return budget({
      ...AWS_CALLS,
      'checks, to the run’s deadline': HEALTH_RUN_MS,
      'the last checks (a refresh through the lease)': HEALTH_RUN_STOP_MARGIN_MS,
    });
  if (functionName === 'proxy-request')
    // Behind HTTP too: a refresh (the shorter lease wait), the request and one retry share one
    // deadline, so the answer comes before API Gateway gives up.
    return budget({
      ...AWS_CALLS,
      'the proxied exchange (a refresh, the request, one retry), to its deadline': PROXY_EXCHANGE_BUDGET_MS,
    });
  if (functionName === 'complete-connect')
    // One code exchange with the provider, then the verification of what it issued.
    return budget({
      ...AWS_CALLS,
      'code exchange': DEFAULT_VERIFICATION_TIMEOUT_MS,
      verification: DEFAULT_VERIFICATION_TIMEOUT_MS,
    });
  if (functionName === 'verify-credential')
    // An OAuth2 credential is re-verified by a refresh through the lease; any other by a request.
    return budget({
      ...AWS_CALLS,
      'refresh (waiting for a holder, then holding the lease)': Math.max(
        refreshTimeBudgetMs(refreshSettings(HTTP_REFRESH_LEASE_WAIT_MS)),
        DEFAULT_VERIFICATION_TIMEOUT_MS,
      ),
    });
  if (access.refreshes)
    return budget({
      ...AWS_CALLS,
      'refresh (waiting for a holder, then holding the lease)': refreshTimeBudgetMs(
        refreshSettings(DEFAULT_REFRESH_SETTINGS.leaseWaitMs),
      ),
    });
  if (access.verifies) return budget({ ...AWS_CALLS, verification: DEFAULT_VERIFICATION_TIMEOUT_MS });
  return budget(AWS_CALLS);
};

/** Functions no HTTP request waits on: a workflow's resolve and the scheduled checks. */
const NOT_BEHIND_HTTP: ReadonlySet<AnyFunctionName> = new Set([
  'resolve-credential',
  'verify-due-credentials',
]);

/**
 * What a function's environment says about its waits, so the code waits what the budget counted:
 * written for every function, so none falls back on a default nobody chose for it.
 */
export const timingEnvironment = (functionName: AnyFunctionName): Record<string, string> => ({
  VERIFICATION_TIMEOUT_MS: String(DEFAULT_VERIFICATION_TIMEOUT_MS),
  REFRESH_LEASE_WAIT_MS: String(
    NOT_BEHIND_HTTP.has(functionName) ? DEFAULT_REFRESH_SETTINGS.leaseWaitMs : HTTP_REFRESH_LEASE_WAIT_MS,
  ),
});
