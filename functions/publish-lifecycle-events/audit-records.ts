import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { isCorruptItem } from '../../shared/adapters/dynamodb/item-schemas.ts';
import { auditFromItem } from '../../shared/adapters/dynamodb/table-layout.ts';
import { type AuditEntry, LIFECYCLE_ACTIONS } from '../../shared/domain/audit.ts';

/**
 * Lifecycle events are the audit records written in the same transactions as the changes (an
 * outbox): a change and its event cannot disagree. Resolves are audited but not published.
 */
export const lifecycleEvents = (
  event: DynamoDBStreamEvent,
  onCorrupt?: (error: unknown) => void,
): AuditEntry[] =>
  event.Records.flatMap((record) => {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    if (record.eventName !== 'INSERT' || !image || image.entity?.S !== 'audit') return [];
    let entry: AuditEntry;
    try {
      entry = auditFromItem(image);
    } catch (error) {
      // A malformed record is never published, and retrying cannot repair it: report and move on.
      if (!isCorruptItem(error)) throw error;
      onCorrupt?.(error);
      return [];
    }
    return LIFECYCLE_ACTIONS.includes(entry.action) ? [entry] : [];
  });
