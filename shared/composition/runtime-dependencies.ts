import { loadServiceConfig, type ServiceConfig } from '../config/service-config.ts';
import { embeddedMetrics } from '../ports/metrics.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import { buildDependencies, type DependencyOverrides } from './dependencies.ts';

let shared: { config: ServiceConfig; clients: AwsClients } | undefined;

/**
 * Config and AWS clients are built once per process; the dependencies are built per entry, because
 * `npm start` loads every entry into one process and each must keep the ports it asked for (a
 * verifying entry its verifier). In Lambda a container runs one entry, so this is once either way.
 */
export const buildRuntime = (overrides: (config: ServiceConfig) => DependencyOverrides = () => ({})) => {
  if (!shared) {
    const config = loadServiceConfig(process.env);
    shared = { config, clients: createAwsClients(config) };
  }
  const { config, clients } = shared;
  const base = buildDependencies(config, { clients, ...overrides(config) });
  const functionName = process.env.FUNCTION_KEY;
  // Lambda only: the alarms count these; a local run has no CloudWatch to read them.
  const dependencies =
    functionName && config.tenantId
      ? { ...base, metrics: embeddedMetrics({ Tenant: config.tenantId, Function: functionName }) }
      : base;
  return { config, clients, dependencies };
};

/** Lambda entries call this at module scope: clients and config are built once per container. */
export const runtimeDependencies = (): UseCaseDependencies => buildRuntime().dependencies;
