import { describe, expect, it } from 'vitest';
import { refreshDueAt } from '../../../shared/domain/token-refresh-due.ts';

const MINUTE = 60_000;
const MARGIN = 5 * MINUTE;

describe('when an access token is due for refresh', () => {
  it.each([
    // lifetime, refreshed after
    [60_000, 45_000],
    [120_000, 90_000],
    [5 * MINUTE, 3.75 * MINUTE],
    [60 * MINUTE, 55 * MINUTE],
    [24 * 60 * MINUTE, 24 * 60 * MINUTE - MARGIN],
  ])('a token living %i ms is refreshed %i ms after it was obtained', (lifetime, after) => {
    const obtainedAt = Date.parse('2026-12-02T00:00:00Z');
    expect(refreshDueAt(obtainedAt + lifetime, obtainedAt, MARGIN) - obtainedAt).toBe(after);
  });

  it('a token that came expired is due at once, and never before it was obtained', () => {
    const obtainedAt = Date.parse('2026-12-02T00:00:00Z');
    expect(refreshDueAt(obtainedAt, obtainedAt, MARGIN)).toBe(obtainedAt);
  });
});
