import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { detailTypeOf, EVENT_SOURCE, type EventPublisher } from '../../ports/event-publisher.ts';

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
            Source: EVENT_SOURCE,
            DetailType: detailTypeOf(event),
            Time: new Date(event.at),
            Detail: JSON.stringify(event),
          })),
        }),
      );
      // A partial failure fails the batch: the stream consumer retries it (publishing is at-least-once).
      if ((result.FailedEntryCount ?? 0) > 0)
        throw new Error(`${result.FailedEntryCount} events were not accepted.`);
    }
  },
});
