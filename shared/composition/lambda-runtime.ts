import { jsonLogger } from '../adapters/logging/json-logger.ts';
import { embeddedMetrics } from '../adapters/metrics/embedded-metrics.ts';
import { loadServiceConfig } from '../config/service-config.ts';
import type { HandlerDependencies } from '../use-cases/use-case-dependencies.ts';
import type { PortContext } from './ports.ts';

/**
 * What every Lambda entry starts from. It holds no AWS client: an entry asks for the clients its
 * ports use (`lambdaDynamoDb`, `lambdaSecretsManager`), so a function never loads one it never calls.
 */
export interface LambdaRuntime extends PortContext {
  /** What the handler itself reads: the logger, outcome metrics, the tenant and scope settings. */
  readonly handler: HandlerDependencies;
}

let shared: LambdaRuntime | undefined;

/**
 * Built once per process: in Lambda once per container; under `npm start`, which loads every entry
 * into one process, once for all of them (each entry still composes its own ports).
 */
export const lambdaRuntime = (): LambdaRuntime => {
  if (shared) return shared;
  const config = loadServiceConfig(process.env);
  const logger = jsonLogger('credentials-service');
  const functionName = process.env.FUNCTION_KEY;
  // Lambda only: the alarms count these; a local run has no CloudWatch to read them.
  const metrics =
    functionName && config.tenantId
      ? embeddedMetrics({ Tenant: config.tenantId, Function: functionName })
      : undefined;
  shared = {
    config,
    logger,
    handler: {
      logger,
      tenantScope: config.tenantId,
      scopePrefix: config.scopePrefix,
      ...(metrics ? { metrics } : {}),
    },
  };
  return shared;
};
