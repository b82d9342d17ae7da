import type { RefreshSettings } from '../domain/refresh-timing.ts';
import { ResolveCache } from '../use-cases/resolve-cache.ts';
import { ResolveMemory } from '../use-cases/resolve-memory.ts';
import type { StepCredential, StepCredentialDependencies } from '../use-cases/step-credential.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';

export interface ResolveSettings {
  /** Warm-cache lifetime of a resolved credential. @default 30 s */
  readonly cacheTtlMs: number;
  /** Access tokens expiring within this margin are refreshed first. @default 5 min */
  readonly refreshMarginMs: number;
  /** Overrides of the refresh timing (tests shorten the waits). */
  readonly refresh?: Partial<RefreshSettings>;
}

export const resolveSettingsFrom = (env: Record<string, string | undefined>): ResolveSettings => ({
  cacheTtlMs: Number(env.RESOLVE_CACHE_TTL_SECONDS ?? 30) * 1000,
  refreshMarginMs: Number(env.OAUTH_REFRESH_MARGIN_SECONDS ?? 300) * 1000,
});

/** A resolve "container": the shared ports plus its own warm cache. */
export const buildResolveDependencies = (
  base: UseCaseDependencies,
  settings: ResolveSettings,
): StepCredentialDependencies => ({
  ...base,
  refresh: { ...base.refresh, ...settings.refresh },
  resolveCache: new ResolveCache<StepCredential>(settings.cacheTtlMs),
  memory: new ResolveMemory(),
  settings: { refreshMarginMs: settings.refreshMarginMs },
});
