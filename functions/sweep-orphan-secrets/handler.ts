import type { Context } from 'aws-lambda';
import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import {
  credentialRepository,
  oauthAppRepository,
  secretStore,
  trustedComponents,
} from '../../shared/composition/ports.ts';
import { sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);
const deps = {
  secrets: secretStore(runtime, lambdaSecretsManager(runtime.config)),
  credentials: credentialRepository(runtime, dynamoDb),
  oauthApps: oauthAppRepository(runtime, dynamoDb),
  components: trustedComponents(runtime.config),
  clock: systemClock,
  logger: runtime.logger,
  tenantScope: runtime.config.tenantId,
  ...(runtime.handler.metrics ? { metrics: runtime.handler.metrics } : {}),
};
/** Stops this long before Lambda would, so the position is saved for the next run. */
const MARGIN_MS = 15_000;

/** Run on a schedule (EventBridge rule in the CDK stack); each run resumes where the last stopped. */
export const handler = async (_event: unknown, context: Context) =>
  sweepSecrets(deps, Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS);
