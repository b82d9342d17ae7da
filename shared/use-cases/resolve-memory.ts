/**
 * What one resolve container remembers between invocations, beside its warm cache: which
 * credential each flow step used last (so a resolve without `credentialId` needs no first read of
 * the flow), and the reads in flight (so identical concurrent misses share one read each).
 * Nothing here authorizes anything: every resolve's own conditional write and flow read still do.
 */
export class ResolveMemory {
  private readonly stepCredentials = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly maxSteps = 1000) {}

  credentialOf(step: string): string | undefined {
    return this.stepCredentials.get(step);
  }

  remember(step: string, credentialId: string): void {
    if (this.stepCredentials.size >= this.maxSteps && !this.stepCredentials.has(step))
      this.stepCredentials.clear();
    this.stepCredentials.set(step, credentialId);
  }

  forget(step: string): void {
    this.stepCredentials.delete(step);
  }

  /** One read for every caller asking for `key` while it is in flight. */
  shared<T>(key: string, read: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const started = read().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }
}
