import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlowEventDetail, LifecycleEventDetail } from '../shared/domain/lifecycle-event.ts';
import type { EventPublisher } from '../shared/ports/event-publisher.ts';

/** An event as EventBridge delivers it to a rule's target. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: LifecycleEventDetail | FlowEventDetail;
}

/** The newest events kept in memory; the JSONL file has them all. */
const MEMORY_LIMIT = 1000;

/**
 * Stands in for the EventBridge bus locally: keeps recent events in memory and, optionally, a JSONL
 * file, each in the shape a rule's target receives, so a consumer written against it works on AWS.
 */
export const localEventSink = (filePath?: string): EventPublisher & { readonly events: DeliveredEvent[] } => {
  const events: DeliveredEvent[] = [];
  return {
    events,
    async publish(batch) {
      for (const event of batch) {
        const delivered: DeliveredEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': event.detailType,
          source: event.source,
          account: '000000000000',
          time: event.time,
          region: 'local',
          resources: event.resources,
          detail: event.detail,
        };
        events.push(delivered);
        if (events.length > MEMORY_LIMIT) events.splice(0, events.length - MEMORY_LIMIT);
        if (filePath) {
          mkdirSync(dirname(filePath), { recursive: true });
          appendFileSync(filePath, `${JSON.stringify(delivered)}\n`);
        }
      }
    },
  };
};
