import type { ServiceConfig } from '../config/service-config.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { buildDependencies, type DependencyOverrides } from './dependencies.ts';
import { lambdaDynamoDb } from './lambda-dynamodb.ts';
import { lambdaRuntime } from './lambda-runtime.ts';
import { lambdaSecretsManager } from './lambda-secrets-manager.ts';

/**
 * Every port, for the entries whose use cases reach most of them (create, update, re-verify,
 * resolve and the connect callback). Config and clients come from the process's one runtime;
 * the dependencies are built per entry, so a verifying entry keeps the verifier it asked for.
 */
export const buildRuntime = (
  overrides: (config: ServiceConfig) => DependencyOverrides = () => ({}),
): UseCaseDependencies => {
  const runtime = lambdaRuntime();
  const { config } = runtime;
  const clients = { dynamoDb: lambdaDynamoDb(config), secretsManager: lambdaSecretsManager(config) };
  const base = buildDependencies(config, { clients, logger: runtime.logger, ...overrides(config) });
  return { ...base, ...runtime.handler };
};
