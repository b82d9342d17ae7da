import { describe, expect, it } from 'vitest';
import { ResolveCache } from '../../../shared/use-cases/resolve-cache.ts';

describe('ResolveCache', () => {
  it('serves an entry until its TTL, then forgets it', () => {
    const cache = new ResolveCache<string>(1000);
    cache.set('k', 'v', 0);
    expect(cache.get('k', 999)).toBe('v');
    expect(cache.get('k', 1000)).toBeUndefined();
  });

  it('never serves past the given deadline (the token refresh margin)', () => {
    const cache = new ResolveCache<string>(30_000);
    cache.set('k', 'v', 0, 500);
    expect(cache.get('k', 499)).toBe('v');
    expect(cache.get('k', 500)).toBeUndefined();
  });

  it('caches nothing with a zero TTL and evicts the oldest entry when full', () => {
    const off = new ResolveCache<string>(0);
    off.set('k', 'v', 0);
    expect(off.get('k', 0)).toBeUndefined();
    const small = new ResolveCache<string>(1000, 2);
    small.set('a', '1', 0);
    small.set('b', '2', 0);
    small.set('c', '3', 0);
    expect([small.get('a', 1), small.get('b', 1), small.get('c', 1)]).toEqual([undefined, '2', '3']);
  });
});
