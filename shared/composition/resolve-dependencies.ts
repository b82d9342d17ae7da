import { dynamoDbRefreshLease } from '../adapters/dynamodb/dynamodb-refresh-lease.ts';
import { guardedTokenRefresher } from '../adapters/verification/oauth2-token-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { ResolveCache } from '../use-cases/resolve-cache.ts';
import type { ResolveDependencies, ResolvedCredential } from '../use-cases/resolve-credential.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import type { AwsClients } from './aws-clients.ts';

export interface ResolveSettings {
  /** Warm-cache lifetime of a resolved credential. @default 30 s */
  readonly cacheTtlMs: number;
  /** Access tokens expiring within this margin are refreshed first. @default 5 min */
  readonly refreshMarginMs: number;
  readonly leaseMs: number;
  readonly leaseWaitMs: number;
}

export const resolveSettingsFrom = (env: Record<string, string | undefined>): ResolveSettings => ({
  cacheTtlMs: Number(env.RESOLVE_CACHE_TTL_SECONDS ?? 30) * 1000,
  refreshMarginMs: Number(env.OAUTH_REFRESH_MARGIN_SECONDS ?? 300) * 1000,
  leaseMs: 10_000,
  leaseWaitMs: 12_000,
});

export const buildResolveDependencies = (
  base: UseCaseDependencies,
  config: ServiceConfig,
  clients: AwsClients,
  settings: ResolveSettings,
): ResolveDependencies => ({
  ...base,
  leases: dynamoDbRefreshLease(clients.dynamoDb, config.tableName),
  tokens: guardedTokenRefresher({
    allowedHosts: config.verificationAllowedHosts,
    timeoutMs: config.verificationTimeoutMs,
    maxResponseBytes: 64 * 1024,
    maxRedirects: 0,
  }),
  resolveCache: new ResolveCache<ResolvedCredential>(settings.cacheTtlMs),
  settings,
});
