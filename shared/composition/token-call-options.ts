import type { GuardedHttpOptions } from '../adapters/verification/guarded-http.ts';
import type { ServiceConfig } from '../config/service-config.ts';

/** How every token endpoint is called: the verification network policy and timeout, no redirects. */
export const tokenCallOptions = (config: ServiceConfig): GuardedHttpOptions => ({
  allowedHosts: config.verificationAllowedHosts,
  timeoutMs: config.verificationTimeoutMs,
  maxResponseBytes: 64 * 1024,
  // A token endpoint that redirects is misconfigured; a refresh token never follows a redirect.
  maxRedirects: 0,
});
