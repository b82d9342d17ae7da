import { describe, expect, it } from 'vitest';
import {
  carriedExpiryWarning,
  expiryWarning,
  nextCheckAt,
  transitionOf,
} from '../../../shared/domain/health-schedule.ts';

const DAY = 86_400_000;
const http = { verification: { kind: 'http' } } as never;
const oauth = (keepAliveDays?: number) =>
  ({ verification: { kind: 'oauth2' }, provider: keepAliveDays ? { keepAliveDays } : undefined }) as never;
const checkedAt = new Date('2026-12-01T00:00:00.000Z');
const dueIn = (due: string | null) => (due === null ? null : Date.parse(due) - checkedAt.getTime());

describe('when a credential is checked next', () => {
  it('spreads 1,000 credentials saved at once over ±10 % of the interval, each at a fixed point', () => {
    const delays = Array.from({ length: 1000 }, (_, n) =>
      dueIn(nextCheckAt(http, { id: `cred-${n}`, status: 'verified' }, checkedAt, 0, { intervalMs: DAY })),
    ) as number[];
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0.9 * DAY);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1.1 * DAY);
    // No minute holds more than a handful: 1,000 spread over 288 minutes.
    const perMinute = new Map<number, number>();
    for (const delay of delays)
      perMinute.set(Math.floor(delay / 60_000), (perMinute.get(Math.floor(delay / 60_000)) ?? 0) + 1);
    expect(Math.max(...perMinute.values())).toBeLessThan(15);
    expect(nextCheckAt(http, { id: 'cred-1', status: 'verified' }, checkedAt, 0, { intervalMs: DAY })).toBe(
      nextCheckAt(http, { id: 'cred-1', status: 'verified' }, checkedAt, 0, { intervalMs: DAY }),
    );
  });

  it('retries a failing credential with back-off that scales with the interval', () => {
    const backoff = (failures: number, intervalMs: number) =>
      dueIn(nextCheckAt(http, { id: 'x', status: 'unreachable' }, checkedAt, failures, { intervalMs }));
    expect([1, 2, 3, 4, 5, 6].map((failures) => backoff(failures, DAY))).toEqual([
      DAY / 24,
      DAY / 12,
      DAY / 6,
      DAY / 3,
      (2 * DAY) / 3,
      DAY,
    ]);
    // With a 1-second interval (locally), within a second.
    expect(backoff(1, 1000)).toBeLessThan(1000);
  });

  it('keeps OAuth2 connections alive at the provider’s idle limit, and never re-presents a refused token', () => {
    expect(
      dueIn(nextCheckAt(oauth(7), { id: 'x', status: 'verified' }, checkedAt, 0, { intervalMs: 30 * DAY })),
    ).toBeLessThanOrEqual(7.7 * DAY);
    expect(
      nextCheckAt(oauth(), { id: 'x', status: 'invalid' }, checkedAt, 0, { intervalMs: DAY }),
    ).toBeNull();
    expect(
      nextCheckAt(
        { verification: { kind: 'none' } } as never,
        { id: 'x', status: 'verified' },
        checkedAt,
        0,
        { intervalMs: DAY },
      ),
    ).toBeNull();
    expect(
      nextCheckAt(http, { id: 'x', status: 'invalid', statusReason: 'secret_missing: gone' }, checkedAt, 0, {
        intervalMs: DAY,
      }),
    ).toBeNull();
  });
});

describe('what a check says', () => {
  it('says a change of state once, recovery only after a failure, and nothing for a routine pass', () => {
    expect(transitionOf('verified', 'verified', true)).toBeUndefined();
    expect(transitionOf('verified', 'invalid', true)).toBe('invalidated');
    expect(transitionOf('invalid', 'invalid', true)).toBeUndefined();
    expect(transitionOf('verified', 'unreachable', true)).toBe('unreachable');
    expect(transitionOf('unreachable', 'unreachable', true)).toBeUndefined();
    expect(transitionOf('unreachable', 'verified', true)).toBe('recovered');
    expect(transitionOf('invalid', 'verified', false)).toBe('recovered');
    // A person's re-verify always answers with a record.
    expect(transitionOf('verified', 'verified', false)).toBe('verified');
  });
});

describe('an expiry warning', () => {
  const component = { expiry: { field: 'expiresAt', warnDays: 14 } };
  const warnedFor = '2026-06-15T00:00:00.000Z';

  it('stands while the declared expiry is the one warned of, restated to the second or earlier', () => {
    for (const expiresAt of [warnedFor, '2026-06-15T00:00:07.000Z', '2026-06-10T00:00:00.000Z']) {
      expect(carriedExpiryWarning(component, warnedFor, { expiresAt })).toBe(expiresAt);
      expect(expiryWarning(component, { fields: { expiresAt }, expiryWarnedFor: expiresAt })).toBeUndefined();
    }
  });

  it('lapses for a later expiry, which is warned of afresh on its own day', () => {
    const expiresAt = '2026-09-01T00:00:00.000Z';
    expect(carriedExpiryWarning(component, warnedFor, { expiresAt })).toBeNull();
    expect(carriedExpiryWarning(component, warnedFor, {})).toBeNull();
    expect(carriedExpiryWarning(component, null, { expiresAt: warnedFor })).toBeNull();
    expect(expiryWarning(component, { fields: { expiresAt }, expiryWarnedFor: null })).toEqual({
      expiresAt,
      warnAt: Date.parse('2026-08-18T00:00:00.000Z'),
    });
  });
});
