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
  readonly credentials: Pick<CredentialRepository, 'usage'>;
  readonly events: EventPublisher;
}

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
      .map(async (entry) =>
        lifecycleEventOf(
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
        ),
      ),
  );
  const events = [...credentialEvents, ...flowEvents].sort((a, b) => a.time.localeCompare(b.time));
  if (events.length > 0) await deps.events.publish(events);
};
