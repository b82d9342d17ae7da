import type { ServiceConfig } from '../config/service-config.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';

// Replaced by the verification subsystem (issue 4).
export const createCredentialVerifier = (_config: ServiceConfig): CredentialVerifier => ({
  verify: async () => ({ outcome: 'unverified', detail: 'verification is not configured' }),
});
