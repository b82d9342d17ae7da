import { buildResolveDependencies, resolveSettingsFrom } from './resolve-dependencies.ts';
import { buildRuntime } from './runtime-dependencies.ts';
import { createTokenRefresher } from './token-refresher.ts';

/** Resolve refreshes OAuth2 tokens, so it composes the token client; it never loads a verifier. */
export const runtimeResolveDependencies = () =>
  buildResolveDependencies(
    buildRuntime((config) => ({ tokens: createTokenRefresher(config) })),
    resolveSettingsFrom(process.env),
  );
