import { inject } from 'vitest';
import { createPublishHandler } from '../../functions/publish-lifecycle-events/publish-handler.ts';
import { startStreamPoller } from '../../local/stream-poller.ts';
import type { EventPublisher } from '../../shared/ports/event-publisher.ts';
import type { LocalService } from './local-service.ts';

/**
 * What the deployed publisher does with the table's stream, done once: every record written so
 * far is read from DynamoDB Local's stream and published to `events`.
 */
export const publishStreamOnce = async (service: LocalService, events: EventPublisher): Promise<void> => {
  const poller = await startStreamPoller({
    dynamoDb: service.dynamoDb,
    endpoint: inject('dynamoDbEndpoint'),
    tableName: service.config.tableName,
    consume: createPublishHandler({ credentials: service.deps.credentials, events }),
    intervalMs: 0,
  });
  await poller.pollOnce();
  poller.stop();
};
