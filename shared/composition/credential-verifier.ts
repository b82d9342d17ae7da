import { systemClock } from '../adapters/clock/system-clock.ts';
import { componentVerifier } from '../adapters/verification/component-verifier.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';

export const createCredentialVerifier = (config: ServiceConfig): CredentialVerifier =>
  componentVerifier(
    { allowedHosts: config.verificationAllowedHosts, timeoutMs: config.verificationTimeoutMs },
    systemClock,
  );
