/**
 * Warm-container cache of resolved credentials. Entries live `ttlMs` at most, and never past the
 * moment the access token is due for refresh; a hit is only served after its conditional audit
 * write confirmed the credential's version (see resolve-credential.ts).
 */
export class ResolveCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, now: number, notAfter = Number.POSITIVE_INFINITY): void {
    if (this.ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, until: Math.min(now + this.ttlMs, notAfter) });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
