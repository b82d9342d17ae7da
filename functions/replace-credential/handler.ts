import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { credentialRepository, flowRepository } from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { replaceCredentialOperation } from './operation.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);

// Only the ports the operation names: nothing else is bundled or built at cold start.
export const handler = createLambdaHandler(replaceCredentialOperation, {
  ...runtime.handler,
  credentials: credentialRepository(runtime, dynamoDb),
  flows: flowRepository(runtime, dynamoDb),
  clock: systemClock,
});
