import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { createCredentialVerifier } from './credential-verifier.ts';
import { buildRuntime } from './runtime-dependencies.ts';
import { createTokenRefresher } from './token-refresher.ts';

/**
 * For the entries that verify (create, update, re-verify): the same runtime, with the verifier
 * adapters only these functions load.
 */
export const runtimeVerifyingDependencies = (): UseCaseDependencies =>
  buildRuntime((config) => ({
    verifier: createCredentialVerifier(config),
    tokens: createTokenRefresher(config),
  }));
