import type { Credential } from '../domain/credential.ts';
import { nextCheckAt } from '../domain/health-schedule.ts';
import { describeError } from '../errors/describe-error.ts';
import { joinSchedule } from './join-schedule.ts';
import { reverifyCredential } from './reverify-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/** How long one scheduled run starts checks for. */
export const HEALTH_RUN_MS = 240_000;
/** Room after the last check started: one more refresh through the lease, or a verification. */
export const HEALTH_RUN_STOP_MARGIN_MS = 30_000;

export interface HealthRunLimits {
  /** Epoch ms by which the run stops starting checks (the Lambda's remaining time, less a margin). */
  readonly deadline: number;
  /** Checks in flight at once. @default 8 */
  readonly concurrency?: number;
  /** At most this many checks of one component per run, so one provider is never hammered. @default 50 */
  readonly perComponent?: number;
  /** Due credentials read per Query. @default 100 */
  readonly pageSize?: number;
}

export interface HealthRunReport {
  readonly checked: number;
  readonly verified: number;
  readonly invalid: number;
  readonly unreachable: number;
  readonly errors: number;
  /** Left due for the next run: past a component's share, or past the deadline. */
  readonly deferred: number;
  /** How long the earliest credential still due had been due when the run began (null: none). */
  readonly oldestDueAgeMs: number | null;
  /** Credentials saved before the schedule existed, given a due time by this run. */
  readonly joined: number;
}

/** Runs `work` over `items`, `concurrency` at a time. */
const inPool = async <T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
};

/**
 * The scheduled re-verification of one tenant: every credential whose check is due (one Query on a
 * key range of the due index, so a run costs what is due, not the tenant's size), checked with
 * the same verifiers, network guard and destination binding as a person's re-verify, OAuth2 ones
 * by a refresh through the single-flight lease. Budgeted by concurrency, a share per component and
 * a deadline; what is left stays due, so the next run resumes there.
 */
export const verifyDueCredentials = async (
  deps: UseCaseDependencies,
  tenantId: string,
  limits: HealthRunLimits,
): Promise<HealthRunReport> => {
  const now = deps.clock.now();
  const actor = { tenantId, subject: 'scheduler' };
  const perComponent = new Map<string, number>();
  const counts = { checked: 0, verified: 0, invalid: 0, unreachable: 0, errors: 0, deferred: 0 };
  let oldestDueAgeMs: number | null = null;
  let after: string | undefined;
  for (;;) {
    if (Date.now() >= limits.deadline) break;
    const page = await deps.credentials.listDue(tenantId, now, limits.pageSize ?? 100, after);
    const first = page.items[0]?.checkDueAt;
    if (oldestDueAgeMs === null && first) oldestDueAgeMs = Math.max(0, now.getTime() - Date.parse(first));
    const mine = page.items.filter((credential) => {
      const taken = perComponent.get(credential.componentId) ?? 0;
      if (taken >= (limits.perComponent ?? 50)) {
        counts.deferred++;
        return false;
      }
      perComponent.set(credential.componentId, taken + 1);
      return true;
    });
    await inPool(mine, limits.concurrency ?? 8, async (credential) => {
      if (Date.now() >= limits.deadline) {
        counts.deferred++;
        return;
      }
      try {
        const { credential: checked } = await reverifyCredential(deps, actor, credential.id, {
          scheduled: true,
          current: credential,
        });
        counts.checked++;
        if (checked.status === 'verified') counts.verified++;
        else if (checked.status === 'invalid') counts.invalid++;
        else if (checked.status === 'unreachable') counts.unreachable++;
      } catch (error) {
        counts.errors++;
        deps.logger.warn('scheduled check failed', { credentialId: credential.id, ...describeError(error) });
        await postpone(deps, credential).catch(() => undefined);
      }
    });
    if (!page.last) break;
    after = page.last;
  }
  // What is due comes first; the time left brings older credentials into the schedule.
  const joined = Date.now() < limits.deadline ? await joinSchedule(deps, tenantId, limits.deadline) : 0;
  deps.metrics?.gauge?.('OldestDueAgeSeconds', Math.round((oldestDueAgeMs ?? 0) / 1000));
  deps.metrics?.gauge?.('CredentialsChecked', counts.checked);
  deps.metrics?.gauge?.('CheckErrors', counts.errors);
  return { ...counts, oldestDueAgeMs, joined };
};

/** A check that could not run (a changed item, a lost secret): tried again later, with back-off. */
const postpone = async (deps: UseCaseDependencies, credential: Credential) => {
  const failures = (credential.healthFailures ?? 0) + 1;
  const component = deps.components.get(credential.componentId);
  const now = deps.clock.now();
  await deps.credentials.update(
    credential,
    {
      checkDueAt: nextCheckAt(
        component,
        { ...credential, status: 'unreachable' },
        now,
        failures,
        deps.health,
      ),
      healthFailures: failures,
      updatedAt: credential.updatedAt,
      updatedBy: credential.updatedBy,
    },
    [],
  );
};
