import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { eventBridgeEventPublisher } from '../../shared/adapters/eventbridge/eventbridge-event-publisher.ts';
import { AWS_CLIENT_MAX_ATTEMPTS } from '../../shared/composition/aws-call-timeouts.ts';
import { InvocationBoundHttpHandler } from '../../shared/composition/invocation-bound-http-handler.ts';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { credentialReads } from '../../shared/composition/ports.ts';
import { createPublishHandler } from './publish-handler.ts';

const busName = process.env.EVENT_BUS_NAME;
if (!busName) throw new Error('Environment variable EVENT_BUS_NAME is required.');
const runtime = lambdaRuntime();

/** Retried by Lambda, then sent to the dead-letter queue. */
export const handler = createPublishHandler(
  {
    credentials: credentialReads(runtime, lambdaDynamoDb(runtime.config)),
    events: eventBridgeEventPublisher(
      new EventBridgeClient({
        maxAttempts: AWS_CLIENT_MAX_ATTEMPTS,
        requestHandler: new InvocationBoundHttpHandler(),
      }),
      busName,
    ),
  },
  (error) =>
    runtime.logger.warn('skipped a malformed audit record', {
      key: (error as { extensions?: { key?: unknown } }).extensions?.key,
    }),
);
