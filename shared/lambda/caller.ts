/**
 * Who a call is for, the same for every caller: the actor a direct invocation claims, and the
 * tenant rule. HTTP and direct handlers both take them from here, not from each other's glue.
 */
import type { Actor } from '../domain/actor.ts';
import { AppError } from '../errors/app-error.ts';

/** Marks an actor named by a direct invocation's event rather than by a verified token. */
export const IAM_ASSERTED = 'iam-asserted:';

/**
 * Who a direct invocation acts as. No token vouches for a direct caller: IAM let it invoke, and
 * `actor` is its own claim. Every direct path (the operations, resolve, the proxy, a report)
 * records it the same way, marked as asserted, so it is never mistaken for a verified subject.
 * A workflow step that names no actor is recorded by its execution.
 */
export const directActor = (tenantId: string, actor: string | undefined, executionId?: string): Actor => ({
  tenantId,
  subject: `${IAM_ASSERTED}${actor ?? (executionId === undefined ? 'unnamed' : `execution:${executionId}`)}`,
});

/**
 * The tenant rule, for HTTP and direct callers alike: a per-tenant deployment acts for its own
 * tenant only, whatever a token or an event claims.
 */
export const assertTenantServed = (actor: Actor, tenantScope: string | undefined): Actor => {
  if (tenantScope !== undefined && actor.tenantId !== tenantScope) {
    throw new AppError('unauthorized', 'This deployment does not serve that tenant.');
  }
  return actor;
};
