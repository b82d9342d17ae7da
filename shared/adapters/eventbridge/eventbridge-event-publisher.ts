import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventPublisher } from '../../ports/event-publisher.ts';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

export const eventBridgeEventPublisher = (client: EventBridgeClient, busName: string): EventPublisher => ({
  async publish(events) {
    for (let start = 0; start < events.length; start += BATCH) {
      const batch = events.slice(start, start + BATCH);
      const result = await client.send(
        new PutEventsCommand({
          Entries: batch.map((event) => ({
            EventBusName: busName,
            Source: event.source,
            DetailType: event.detailType,
            Time: new Date(event.time),
            Resources: [...event.resources],
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      // A partial failure fails the batch: the stream consumer retries it (publishing is at-least-once).
      if ((result.FailedEntryCount ?? 0) > 0)
        throw new Error(`${result.FailedEntryCount} events were not accepted.`);
    }
  },
});
