import type { Actor } from '../domain/actor.ts';

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
