import type { Metrics } from '../../ports/metrics.ts';

export const METRICS_NAMESPACE = 'CredentialsService';

/**
 * CloudWatch embedded metric format: one JSON log line becomes a metric, with no extra call.
 * Dimensions: the tenant and the function (the folder name under `functions/`).
 */
export const embeddedMetrics = (
  dimensions: { readonly Tenant: string; readonly Function: string },
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Metrics => {
  const emit = (metric: string, unit: 'Count' | 'Seconds', value: number) =>
    write(
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: METRICS_NAMESPACE,
              Dimensions: [['Tenant', 'Function']],
              Metrics: [{ Name: metric, Unit: unit }],
            },
          ],
        },
        ...dimensions,
        [metric]: value,
      }),
    );
  return {
    count: (metric) => emit(metric, 'Count', 1),
    gauge: (metric, value) => emit(metric, metric === 'OldestDueAgeSeconds' ? 'Seconds' : 'Count', value),
  };
};
