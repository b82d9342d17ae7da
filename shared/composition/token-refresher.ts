import { guardedTokenRefresher } from '../adapters/verification/oauth2-token-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';
import { tokenCallOptions } from './token-call-options.ts';

/** The token endpoint client for re-verification, the connect callback and revocations. */
export const createTokenRefresher = (config: ServiceConfig): TokenRefresher =>
  guardedTokenRefresher(tokenCallOptions(config));
