import { guardedApiClient } from '../adapters/verification/guarded-api-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { ProxyDependencies } from '../use-cases/proxy-request.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { buildResolveDependencies, type ResolveSettings } from './resolve-dependencies.ts';

/**
 * The most of an API's answer the proxy reads: base64 makes 4 MiB about 5.6 MB, inside Lambda's
 * 6 MB synchronous payload; anything longer is refused with `api_response_too_large`.
 */
export const PROXY_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/** A proxy "container": resolve's (warm cache, remembered steps) plus the guarded API client. */
export const buildProxyDependencies = (
  base: UseCaseDependencies,
  settings: ResolveSettings,
  config: Pick<ServiceConfig, 'verificationAllowedHosts'>,
): ProxyDependencies => ({
  ...buildResolveDependencies(base, settings),
  api: guardedApiClient({ allowedHosts: config.verificationAllowedHosts }, PROXY_MAX_RESPONSE_BYTES),
});
