import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { eventBridgeEventPublisher } from '../../shared/adapters/eventbridge/eventbridge-event-publisher.ts';
import { AWS_CLIENT_MAX_ATTEMPTS } from '../../shared/composition/aws-call-timeouts.ts';
import { InvocationBoundHttpHandler } from '../../shared/composition/invocation-bound-http-handler.ts';
import { lifecycleEvents } from './audit-records.ts';

const busName = process.env.EVENT_BUS_NAME;
if (!busName) throw new Error('Environment variable EVENT_BUS_NAME is required.');
const publisher = eventBridgeEventPublisher(
  new EventBridgeClient({
    maxAttempts: AWS_CLIENT_MAX_ATTEMPTS,
    requestHandler: new InvocationBoundHttpHandler(),
  }),
  busName,
);

/** The table stream's second consumer: retried by Lambda, then sent to the dead-letter queue. */
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  await publisher.publish(
    lifecycleEvents(event, (error) =>
      process.stdout.write(
        `${JSON.stringify({ level: 'warn', message: 'skipped a malformed audit record', key: (error as { extensions?: { key?: unknown } }).extensions?.key })}\n`,
      ),
    ),
  );
};
