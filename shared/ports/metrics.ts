/** How requests ended, counted apart so that a business refusal never looks like a failure. */
export type OutcomeMetric = 'UnexpectedErrors' | 'UpstreamUnavailable' | 'Refusals' | 'CorruptItemsSkipped';

export interface Metrics {
  count(metric: OutcomeMetric): void;
}

export const METRICS_NAMESPACE = 'CredentialsService';

/**
 * CloudWatch embedded metric format: one JSON log line becomes a metric, with no extra call.
 * Dimensions: the tenant and the function (the folder name under `functions/`).
 */
export const embeddedMetrics = (
  dimensions: { readonly Tenant: string; readonly Function: string },
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Metrics => ({
  count: (metric) =>
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [['Tenant', 'Function']],
              Metrics: [{ Name: metric, Unit: 'Count' }],
            },
          ],
        },
        ...dimensions,
        [metric]: 1,
      }),
    ),
});
