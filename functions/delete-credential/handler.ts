import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import { credentialRepository, secretStore, trustedComponents } from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { deleteCredentialOperation } from './operation.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);

// Only the ports the operation names: nothing else is bundled or built at cold start.
export const handler = createLambdaHandler(deleteCredentialOperation, {
  ...runtime.handler,
  credentials: credentialRepository(runtime, dynamoDb),
  secrets: secretStore(runtime, lambdaSecretsManager(runtime.config)),
  // Which components' tokens are revoked (by the purger) before their secret goes.
  components: trustedComponents(runtime.config),
  clock: systemClock,
});
