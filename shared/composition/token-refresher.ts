import { guardedTokenRefresher } from '../adapters/verification/oauth2-token-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';

/** The refresh_token client for resolve and re-verification: the same guarded HTTP, no redirects. */
export const createTokenRefresher = (config: ServiceConfig): TokenRefresher =>
  guardedTokenRefresher({
    allowedHosts: config.verificationAllowedHosts,
    timeoutMs: config.verificationTimeoutMs,
    maxResponseBytes: 64 * 1024,
    // A token endpoint that redirects is misconfigured; a refresh token never follows a redirect.
    maxRedirects: 0,
  });
