import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import {
  connectSessionRepository,
  connectSettings,
  credentialRepository,
  idGenerator,
  oauthAppRepository,
  trustedComponents,
} from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { createConnectSessionOperation } from './operation.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);

// Only the ports the operation names: nothing else is bundled or built at cold start.
export const handler = createLambdaHandler(createConnectSessionOperation, {
  ...runtime.handler,
  connect: connectSettings(runtime.config),
  components: trustedComponents(runtime.config),
  credentials: credentialRepository(runtime, dynamoDb),
  oauthApps: oauthAppRepository(runtime, dynamoDb),
  connectSessions: connectSessionRepository(runtime, dynamoDb),
  clock: systemClock,
  ids: idGenerator(),
});
