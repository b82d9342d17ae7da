import { loadServiceConfig, type ServiceConfig } from '../config/service-config.ts';
import { embeddedMetrics } from '../ports/metrics.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import { buildDependencies, type DependencyOverrides } from './dependencies.ts';

let runtime: { config: ServiceConfig; clients: AwsClients; dependencies: UseCaseDependencies } | undefined;

/** Built once per container; `overrides` lets a verifying entry add its verifier. */
export const buildRuntime = (overrides: (config: ServiceConfig) => DependencyOverrides = () => ({})) => {
  if (!runtime) {
    const config = loadServiceConfig(process.env);
    const clients = createAwsClients(config);
    const base = buildDependencies(config, { clients, ...overrides(config) });
    const functionName = process.env.FUNCTION_KEY;
    // Lambda only: the alarms count these; a local run has no CloudWatch to read them.
    const dependencies =
      functionName && config.tenantId
        ? { ...base, metrics: embeddedMetrics({ Tenant: config.tenantId, Function: functionName }) }
        : base;
    runtime = { config, clients, dependencies };
  }
  return runtime;
};

/** Lambda entries call this at module scope: clients and config are built once per container. */
export const runtimeDependencies = (): UseCaseDependencies => buildRuntime().dependencies;
