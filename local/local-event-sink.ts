import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from '../shared/domain/audit.ts';
import { detailTypeOf, EVENT_SOURCE, type EventPublisher } from '../shared/ports/event-publisher.ts';

export interface PublishedEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: AuditEntry;
}

/** Stands in for the EventBridge bus locally: keeps events in memory and, optionally, a JSONL file. */
export const localEventSink = (filePath?: string): EventPublisher & { readonly events: PublishedEvent[] } => {
  const events: PublishedEvent[] = [];
  return {
    events,
    async publish(batch) {
      for (const detail of batch) {
        const event = { source: EVENT_SOURCE, detailType: detailTypeOf(detail), detail };
        events.push(event);
        if (filePath) {
          mkdirSync(dirname(filePath), { recursive: true });
          appendFileSync(filePath, `${JSON.stringify(event)}\n`);
        }
      }
    },
  };
};
