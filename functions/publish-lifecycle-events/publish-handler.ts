import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  type PublishDependencies,
  publishLifecycleEvents,
} from '../../shared/use-cases/publish-lifecycle-events.ts';
import { lifecycleEvents } from './audit-records.ts';

/** The table stream's consumer: the batch's lifecycle audit records, published with their flows. */
export const createPublishHandler =
  (deps: PublishDependencies, onCorrupt?: (error: unknown) => void) =>
  (event: DynamoDBStreamEvent): Promise<void> =>
    publishLifecycleEvents(deps, lifecycleEvents(event, onCorrupt));
