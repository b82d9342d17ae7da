import { nextCheckAt } from '../domain/health-schedule.ts';
import { AppError } from '../errors/app-error.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/** The pass's name in the sweep positions, and its position once every credential was looked at. */
export const JOIN_PASS = 'schedule';
export const JOIN_DONE = 'done';
/** Credentials looked at per run, at most: a tenant of 100,000 joins in 100 runs (about 8 hours). */
const PAGES_PER_RUN = 10;

/**
 * Credentials saved before the scheduled re-verification existed carry no due time, so the due
 * index never finds them. This one pass over the tenant (a page of its credentials at a time,
 * resumed where the last run stopped) gives each a due time: about one interval after its last
 * verification, or within ±10 % of now for one checked longer ago, so a tenant's whole back
 * catalogue does not come due in the same minute. Once done it costs one read per run.
 */
export const joinSchedule = async (
  deps: UseCaseDependencies,
  tenantId: string,
  deadline: number,
): Promise<number> => {
  let cursor = await deps.credentials.sweepPosition(tenantId, JOIN_PASS);
  if (cursor === JOIN_DONE) return 0;
  const now = deps.clock.now();
  const interval = deps.health.intervalMs;
  let joined = 0;
  for (let pages = 0; pages < PAGES_PER_RUN && Date.now() < deadline; pages++) {
    const page = await deps.credentials.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const credential of page.items) {
      if (credential.checkDueAt !== undefined) continue;
      const component = deps.components.find(credential.componentId);
      if (!component) continue;
      const verifiedAt = Date.parse(credential.lastVerifiedAt ?? '') || now.getTime();
      const checkedAt = new Date(Math.max(verifiedAt, now.getTime() - interval));
      await deps.credentials
        .update(
          credential,
          {
            checkDueAt: nextCheckAt(component, credential, checkedAt, 0, deps.health),
            // Not a change a person made: the credential keeps its last editor and time.
            updatedAt: credential.updatedAt,
            updatedBy: credential.updatedBy,
          },
          [],
        )
        .then(() => joined++)
        .catch((error: unknown) => {
          // Changed meanwhile (that save gave it a due time) or deleted: nothing to do.
          if (!(error instanceof AppError && ['version_mismatch', 'not_found'].includes(error.code)))
            throw error;
        });
    }
    cursor = page.nextCursor ?? undefined;
    await deps.credentials.saveSweepPosition(tenantId, JOIN_PASS, cursor ?? JOIN_DONE);
    if (!cursor) break;
  }
  return joined;
};
