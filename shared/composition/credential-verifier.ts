import { componentVerifier } from '../adapters/verification/component-verifier.ts';
import { guardedTokenRefresher } from '../adapters/verification/oauth2-token-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { systemClock } from '../ports/clock.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';

export const createCredentialVerifier = (config: ServiceConfig): CredentialVerifier =>
  componentVerifier(
    { allowedHosts: config.verificationAllowedHosts, timeoutMs: config.verificationTimeoutMs },
    systemClock,
  );
