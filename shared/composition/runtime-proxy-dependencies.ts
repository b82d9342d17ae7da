import { lambdaRuntime } from './lambda-runtime.ts';
import { buildProxyDependencies } from './proxy-dependencies.ts';
import { resolveSettingsFrom } from './resolve-dependencies.ts';
import { buildRuntime } from './runtime-dependencies.ts';
import { createTokenRefresher } from './token-refresher.ts';

/** The proxy refreshes OAuth2 tokens and calls component APIs; it never loads a verifier. */
export const runtimeProxyDependencies = () =>
  buildProxyDependencies(
    buildRuntime((config) => ({ tokens: createTokenRefresher(config) })),
    resolveSettingsFrom(process.env),
    lambdaRuntime().config,
  );
