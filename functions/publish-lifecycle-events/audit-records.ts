import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { isCorruptItem } from '../../shared/adapters/dynamodb/item-schemas.ts';
import { auditFromItem, flowAuditFromItem } from '../../shared/adapters/dynamodb/table-layout.ts';
import type { AuditEntry, FlowAuditEntry } from '../../shared/domain/audit.ts';
import { isEventAction } from '../../shared/domain/lifecycle-event.ts';

/**
 * Lifecycle events are the audit records written in the same transactions as the changes (an
 * outbox): a change and its event cannot disagree. Resolves are audited but not published.
 */
export const lifecycleEvents = (
  event: DynamoDBStreamEvent,
  onCorrupt?: (error: unknown) => void,
): (AuditEntry | FlowAuditEntry)[] =>
  event.Records.flatMap((record): (AuditEntry | FlowAuditEntry)[] => {
    const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
    const entity = image?.entity?.S;
    if (record.eventName !== 'INSERT' || !image || (entity !== 'audit' && entity !== 'flow-audit')) return [];
    try {
      if (entity === 'flow-audit') return [flowAuditFromItem(image)];
      const entry = auditFromItem(image);
      // The catalogue's actions only: resolves, proxied calls and reports are audit-only.
      return isEventAction(entry.action) ? [entry] : [];
    } catch (error) {
      // A malformed record is never published, and retrying cannot repair it: report and move on.
      if (!isCorruptItem(error)) throw error;
      onCorrupt?.(error);
      return [];
    }
  });
