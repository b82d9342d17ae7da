import { describeError } from '../ports/logger.ts';
import type { SecretAddress } from '../ports/secret-store.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/**
 * Finishes deletions: called with the credentials whose items were removed (from the table's
 * stream), it schedules each secret's deletion. Scheduling is idempotent, so a retry or the inline
 * call having succeeded already is harmless. Returns the addresses that failed, for a retry.
 */
export const purgeDeletedSecrets = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'logger'>,
  removed: readonly SecretAddress[],
): Promise<SecretAddress[]> => {
  const failed: SecretAddress[] = [];
  for (const address of removed) {
    try {
      // The secret names its owner in its tags; one that names another credential (or none) is
      // not this deletion's to remove, whatever the name says.
      const described = await deps.secrets.describe(address);
      if (described === null || described.deleted) continue;
      if (
        described.tags.tenant !== address.tenantId ||
        described.tags.credentialId !== address.credentialId
      ) {
        deps.logger.error('refused to delete a secret whose tags name another owner', {
          tenantId: address.tenantId,
          credentialId: address.credentialId,
        });
        continue;
      }
      await deps.secrets.scheduleDeletion(address);
    } catch (error) {
      deps.logger.error('could not schedule secret deletion', {
        credentialId: address.credentialId,
        ...describeError(error),
      });
      failed.push(address);
    }
  }
  return failed;
};

/** Older than this, a secret without its item cannot be a create still in flight. */
export const ORPHAN_GRACE_MINUTES = 15;

/**
 * The reconciler for the one gap no transaction covers: the process dying between CreateSecret and
 * the DynamoDB write (or a failed discard). A managed secret with no credential item, older than
 * the grace period, is scheduled for deletion: recoverable within the window, never lost at once.
 */
export const sweepOrphanSecrets = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'credentials' | 'clock' | 'logger' | 'tenantScope'>,
): Promise<{ examined: number; scheduled: SecretAddress[] }> => {
  const cutoff = deps.clock.now().getTime() - ORPHAN_GRACE_MINUTES * 60_000;
  const scheduled: SecretAddress[] = [];
  let examined = 0;
  // In a per-tenant deployment only that tenant's secrets: another tenant's have their own table.
  for await (const { address, createdAt } of deps.secrets.listManaged(deps.tenantScope)) {
    examined++;
    if (createdAt.getTime() > cutoff) continue;
    if (await deps.credentials.get(address.tenantId, address.credentialId)) continue;
    await deps.secrets.scheduleDeletion(address);
    deps.logger.warn('scheduled deletion of an orphan secret', { credentialId: address.credentialId });
    scheduled.push(address);
  }
  return { examined, scheduled };
};
