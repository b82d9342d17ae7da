import { describe, expect, it } from 'vitest';
import { embeddedMetrics, METRICS_NAMESPACE } from '../../../shared/adapters/metrics/embedded-metrics.ts';
import { countOutcome } from '../../../shared/lambda/outcome-metrics.ts';

describe('outcome metrics (CloudWatch embedded metric format)', () => {
  const capture = () => {
    const lines: Record<string, unknown>[] = [];
    const metrics = embeddedMetrics({ Tenant: 'acme', Function: 'get-credential' }, (line) =>
      lines.push(JSON.parse(line) as Record<string, unknown>),
    );
    return { lines, metrics };
  };

  it('counts a 500 as UnexpectedErrors in an EMF line CloudWatch turns into a metric', () => {
    const { lines, metrics } = capture();
    countOutcome(metrics, 500, 'internal', false);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      _aws: {
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['Tenant', 'Function']],
            Metrics: [{ Name: 'UnexpectedErrors', Unit: 'Count' }],
          },
        ],
      },
      Tenant: 'acme',
      Function: 'get-credential',
      UnexpectedErrors: 1,
    });
  });

  it('counts refusals of direct callers and AWS being busy apart, and HTTP 4xx not at all', () => {
    const { lines, metrics } = capture();
    countOutcome(metrics, 403, 'flow_not_active', true);
    countOutcome(metrics, 503, 'upstream_unavailable', true);
    countOutcome(metrics, 404, 'not_found', false);
    const names = lines.map(
      (line) =>
        (line._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]
          ?.Metrics[0]?.Name,
    );
    expect(names).toEqual(['Refusals', 'UpstreamUnavailable']);
  });
});
