/** How requests ended, counted apart so that a business refusal never looks like a failure. */
export type OutcomeMetric = 'UnexpectedErrors' | 'UpstreamUnavailable' | 'Refusals' | 'CorruptItemsSkipped';

/** Values a scheduled run reports: how far behind it is, and how much it did. */
export type GaugeMetric = 'OldestDueAgeSeconds' | 'CredentialsChecked' | 'CheckErrors';

export interface Metrics {
  count(metric: OutcomeMetric): void;
  gauge?(metric: GaugeMetric, value: number): void;
}
