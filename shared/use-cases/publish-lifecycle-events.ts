import type { AuditEntry, FlowAuditEntry } from '../domain/audit.ts';
import {
  flowEventOf,
  isEventAction,
  type LifecycleEvent,
  lifecycleEventOf,
} from '../domain/lifecycle-event.ts';
import type { CredentialRepository } from '../ports/credential-repository.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';

export interface PublishDependencies {
  readonly credentials: Pick<CredentialRepository, 'usage' | 'listAudit'>;
  readonly events: EventPublisher;
}

/** How many pages of a deleted credential's audit trail are read for its last name. */
const NAME_PAGES = 3;

/**
 * The name a deleted credential last had: a delete writes its record without reading the item
 * (one transaction, no read), so the name comes from its own audit trail, newest first.
 */
const lastNameOf = async <Entry extends AuditEntry>(
  deps: PublishDependencies,
  entry: Entry,
): Promise<Entry> => {
  if (entry.action !== 'deleted' || entry.credentialName !== undefined) return entry;
  let cursor: string | undefined;
  for (let page = 0; page < NAME_PAGES; page++) {
    const { items, nextCursor } = await deps.credentials.listAudit(entry.tenantId, entry.credentialId, {
      limit: 50,
      ...(cursor ? { cursor } : {}),
    });
    const named = items.find((item) => item.credentialName !== undefined);
    if (named?.credentialName !== undefined) return { ...entry, credentialName: named.credentialName };
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return entry;
};

/**
 * Publishes the audit records that are lifecycle events, each with the flows it affects: the ones
 * the change named (a replace's moved flows), or else the flows that use the credential now (one
 * Query of its usage items; none after a delete, which removed them).
 */
export const publishLifecycleEvents = async (
  deps: PublishDependencies,
  records: readonly (AuditEntry | FlowAuditEntry)[],
): Promise<void> => {
  const flowEvents: LifecycleEvent[] = records
    .filter((record): record is FlowAuditEntry => 'flowName' in record && !('credentialId' in record))
    .map(flowEventOf);
  const entries = records.filter((record): record is AuditEntry => 'credentialId' in record);
  const credentialEvents = await Promise.all(
    entries
      .filter((entry): entry is AuditEntry & { action: Parameters<typeof lifecycleEventOf>[0]['action'] } =>
        isEventAction(entry.action),
      )
      .map(async (recorded) => {
        const entry = await lastNameOf(deps, recorded);
        return lifecycleEventOf(
          entry,
          entry.flows?.map(({ flowId, flowName, flowStatus }) => ({
            flowId,
            flowName,
            // Records from before the status was kept named flows a replace moved from an active use.
            flowStatus: flowStatus ?? 'active',
          })) ??
            // A new credential is used by no flow yet; a deleted one by none any more.
            (entry.action === 'created' || entry.action === 'deleted'
              ? []
              : (await deps.credentials.usage(entry.tenantId, entry.credentialId)).map(
                  ({ flowId, flowName, flowStatus }) => ({ flowId, flowName, flowStatus }),
                )),
        );
      }),
  );
  const events = [...credentialEvents, ...flowEvents].sort((a, b) => a.time.localeCompare(b.time));
  if (events.length > 0) await deps.events.publish(events);
};
