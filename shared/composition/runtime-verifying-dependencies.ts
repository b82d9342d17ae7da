import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { createCredentialVerifier } from './credential-verifier.ts';
import { buildRuntime } from './runtime-dependencies.ts';
import { createTokenRefresher } from './token-refresher.ts';

/**
 * For the entries that verify and reach most ports (update, re-verify, the connect callback, the
 * scheduled check): the same runtime, with the verifier adapters only these functions load. A
 * create composes its few ports itself.
 */
export const runtimeVerifyingDependencies = (): UseCaseDependencies =>
  buildRuntime((config) => ({
    verifier: createCredentialVerifier(config),
    tokens: createTokenRefresher(config),
  }));
