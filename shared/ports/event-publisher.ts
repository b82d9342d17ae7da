import type { AuditEntry } from '../domain/audit.ts';

/** Lifecycle events for other workflows: EventBridge in AWS, a local sink on a laptop and in tests. */
export interface EventPublisher {
  publish(events: readonly AuditEntry[]): Promise<void>;
}

export const EVENT_SOURCE = 'credentials-service';
export const detailTypeOf = (event: AuditEntry): string => `credential.${event.action}`;
