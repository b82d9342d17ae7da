import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditEntry } from '../shared/domain/audit.ts';
import { detailTypeOf, EVENT_SOURCE, type EventPublisher } from '../shared/ports/event-publisher.ts';

export interface PublishedEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: AuditEntry;
}

/** The newest events kept in memory; the JSONL file has them all. */
const MEMORY_LIMIT = 1000;

/** Stands in for the EventBridge bus locally: keeps recent events in memory and, optionally, a JSONL file. */
export const localEventSink = (filePath?: string): EventPublisher & { readonly events: PublishedEvent[] } => {
  const events: PublishedEvent[] = [];
  return {
    events,
    async publish(batch) {
      for (const detail of batch) {
        const event = { source: EVENT_SOURCE, detailType: detailTypeOf(detail), detail };
        events.push(event);
        if (events.length > MEMORY_LIMIT) events.splice(0, events.length - MEMORY_LIMIT);
        if (filePath) {
          mkdirSync(dirname(filePath), { recursive: true });
          appendFileSync(filePath, `${JSON.stringify(event)}\n`);
        }
      }
    },
  };
};
