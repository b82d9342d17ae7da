import type { LifecycleEvent } from '../domain/lifecycle-event.ts';

/** Lifecycle events for other workflows: EventBridge in AWS, a local sink on a laptop and in tests. */
export interface EventPublisher {
  publish(events: readonly LifecycleEvent[]): Promise<void>;
}
