import type { Metrics } from '../ports/metrics.ts';

/**
 * Failures counted apart from refusals: an alarm on `UnexpectedErrors` fires for a bug or a denied
 * permission, never because a workflow asked for a flow that is not active.
 */
export const countOutcome = (
  metrics: Metrics | undefined,
  status: number,
  code: string,
  direct: boolean,
): void => {
  if (!metrics) return;
  if (code === 'upstream_unavailable') metrics.count('UpstreamUnavailable');
  else if (status >= 500) metrics.count('UnexpectedErrors');
  else if (direct) metrics.count('Refusals');
};
