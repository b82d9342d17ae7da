import { buildResolveDependencies, resolveSettingsFrom } from './resolve-dependencies.ts';
import { buildRuntime } from './runtime-dependencies.ts';
import { createTokenRefresherOnFirstCall } from './token-refresher-on-first-call.ts';

/** Resolve refreshes OAuth2 tokens (the client loaded on the first refresh); it never loads a verifier. */
export const runtimeResolveDependencies = () =>
  buildResolveDependencies(
    buildRuntime((config) => ({ tokens: createTokenRefresherOnFirstCall(config) })),
    resolveSettingsFrom(process.env),
  );
