import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import {
  connectSettings,
  oauthAppRepository,
  secretStore,
  trustedComponents,
} from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { putOAuthAppOperation } from './operation.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);

// Only the ports the operation names: nothing else is bundled or built at cold start.
export const handler = createLambdaHandler(putOAuthAppOperation, {
  ...runtime.handler,
  components: trustedComponents(runtime.config),
  oauthApps: oauthAppRepository(runtime, dynamoDb),
  secrets: secretStore(runtime, lambdaSecretsManager(runtime.config)),
  clock: systemClock,
  connect: connectSettings(runtime.config),
});
