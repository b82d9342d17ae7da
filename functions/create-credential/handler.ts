import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { createCredentialVerifier } from '../../shared/composition/credential-verifier.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import {
  credentialRepository,
  healthSchedule,
  idGenerator,
  secretStore,
  trustedComponents,
} from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { createCredentialOperation } from './operation.ts';

const runtime = lambdaRuntime();
const { config } = runtime;

// Only the ports the operation names: a create verifies and writes one credential, so the flow,
// lease, OAuth app and token ports stay out of its bundle and its cold start.
export const handler = createLambdaHandler(createCredentialOperation, {
  ...runtime.handler,
  components: trustedComponents(config),
  credentials: credentialRepository(runtime, lambdaDynamoDb(config)),
  secrets: secretStore(runtime, lambdaSecretsManager(config)),
  verifier: createCredentialVerifier(config),
  clock: systemClock,
  ids: idGenerator(),
  health: healthSchedule(config),
});
