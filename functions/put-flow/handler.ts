import { systemClock } from '../../shared/adapters/clock/system-clock.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { flowRepository, trustedComponents } from '../../shared/composition/ports.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { putFlowOperation } from './operation.ts';

const runtime = lambdaRuntime();
const dynamoDb = lambdaDynamoDb(runtime.config);

// Only the ports the operation names: nothing else is bundled or built at cold start.
export const handler = createLambdaHandler(putFlowOperation, {
  ...runtime.handler,
  flows: flowRepository(runtime, dynamoDb),
  components: trustedComponents(runtime.config),
  clock: systemClock,
});
