import { parseCredentialId } from '../domain/credential-id.ts';
import { componentOfAppSecret } from '../domain/oauth-app.ts';
import { AppError } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import { type SecretAddress, StaleListingError } from '../ports/secret-store.ts';
import { markSecretMissing } from './secret-missing.ts';
import { revokeReplacedTokens } from './token-revocation.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/** What revoking a deleted credential's tokens needs: the descriptors, the tenant's app, a token client. */
type RevocationPorts = Pick<UseCaseDependencies, 'components' | 'oauthApps' | 'tokens'>;

/**
 * A deleted OAuth2 credential's tokens, revoked at its provider (RFC 7009) before its secret goes,
 * when the descriptor names a revocation endpoint. Best effort for the provider's failures; a
 * failure of our own storage fails the record, so the secret stays until its token can be read.
 */
const revokeDeleted = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'logger'> & Partial<RevocationPorts>,
  address: SecretAddress,
): Promise<void> => {
  const { components, oauthApps, tokens } = deps;
  // A purger composed without them (the tests' plain one) only schedules deletions.
  if (!components || !oauthApps || !tokens) return;
  const component = components.find(parseCredentialId(address.credentialId)?.componentId ?? '');
  if (!component?.provider?.revocationUrl) return;
  // A secret already gone holds no token to revoke; any other failure (a throttled or failed read)
  // is this record's failure: the secret is not deleted while its token might still be revoked.
  const stored = await deps.secrets.read(address).catch((error: unknown) => {
    if (error instanceof AppError && error.extensions.reason === 'secret_missing') return undefined;
    throw error;
  });
  // One attempt per deleted credential: a batch's revocations fit its time budget.
  if (stored)
    await revokeReplacedTokens(
      { ...deps, oauthApps, tokens },
      address.tenantId,
      component,
      stored.values,
      {},
      {
        attempts: 1,
        storageFailures: 'throw',
      },
    );
};

/**
 * Finishes deletions: called with the credentials whose items were removed (from the table's
 * stream), it revokes their tokens where the provider allows and schedules each secret's deletion.
 * Scheduling is idempotent, so a retry or the inline call having succeeded already is harmless.
 * Returns the addresses that failed, for a retry.
 */
export const purgeDeletedSecrets = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'logger'> & Partial<RevocationPorts>,
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
      await revokeDeleted(deps, address);
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
/** DeleteSecret and DescribeSecret calls in flight at once: well under Secrets Manager's quotas. */
const CONCURRENCY = 10;

export interface SweepResult {
  readonly examined: number;
  readonly scheduled: SecretAddress[];
  /** Credentials whose secret (or secret version) is gone, now marked `invalid`. */
  readonly invalidated: string[];
  /** Both passes reached their end in this run (otherwise the next run resumes where this stopped). */
  readonly complete: boolean;
}

const inBatches = async <T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> => {
  for (let start = 0; start < items.length; start += CONCURRENCY)
    await Promise.all(items.slice(start, start + CONCURRENCY).map(run));
};

type SweepDependencies = Pick<
  UseCaseDependencies,
  'secrets' | 'credentials' | 'components' | 'clock' | 'logger' | 'tenantScope' | 'oauthApps' | 'metrics'
>;

/** Where the all-tenants sweep (local, shared tables) keeps every tenant it has seen. */
const KNOWN_TENANTS = 'tenants';

/**
 * The reconciler for the gaps no transaction covers, in both directions, within a time budget and
 * resumable across runs:
 *
 * - secrets without an item (the process died between CreateSecret and the DynamoDB write, or a
 *   write's outcome was unknown), older than the grace period, are scheduled for deletion —
 *   recoverable within the window, never lost at once. Existence is checked 100 at a time.
 * - items without their secret (or secret version) are marked `invalid` with the reason, which
 *   emits an `invalidated` event: a workflow gets `credential_invalid`, a person sees why.
 */
export const sweepSecrets = async (deps: SweepDependencies, deadline: number): Promise<SweepResult> => {
  const scope = deps.tenantScope ?? '*';
  const cutoff = deps.clock.now().getTime() - ORPHAN_GRACE_MINUTES * 60_000;
  const scheduled: SecretAddress[] = [];
  const invalidated: string[] = [];
  const tenants = new Set<string>(deps.tenantScope ? [deps.tenantScope] : []);
  let examined = 0;
  const timeLeft = () => Date.now() < deadline;

  // One bad item or position must not stop every run: it is logged with its key, counted, and
  // skipped (a position that cannot be used restarts its pass).
  const skipped = (what: string, key: Record<string, string>, error: unknown) => {
    deps.logger.warn(`sweeper skipped ${what}`, { code: 'corrupt_item', key, ...describeError(error) });
    deps.metrics?.count('CorruptItemsSkipped');
  };
  // Without a tenant scope (one table for many tenants, as locally) the items pass visits every
  // tenant ever seen with a secret, also once its last secret is gone.
  if (!deps.tenantScope) {
    for (const tenantId of (await deps.credentials.sweepPosition(scope, KNOWN_TENANTS))?.split(' ') ?? [])
      if (tenantId) tenants.add(tenantId);
  }

  // Secrets → items.
  let orphansDone = false;
  let position = await deps.credentials.sweepPosition(scope, 'orphans');
  // At least one page a run, however short its budget: every run makes progress.
  for (let pages = 0; pages === 0 || timeLeft(); pages++) {
    let page: Awaited<ReturnType<typeof deps.secrets.listManagedPage>>;
    try {
      // In a per-tenant deployment only that tenant's secrets: another tenant's have their own table.
      page = await deps.secrets.listManagedPage(deps.tenantScope, position);
    } catch (error) {
      if (error instanceof StaleListingError) {
        position = undefined;
        continue;
      }
      if (position === undefined) throw error;
      // A position the listing refuses (edited, or from another version): start the pass again.
      skipped('a position it could not use', { pass: 'orphans' }, error);
      position = undefined;
      continue;
    }
    examined += page.entries.length;
    const old = page.entries.filter((entry) => entry.createdAt.getTime() <= cutoff);
    const byTenant = new Map<string, typeof old>();
    for (const entry of page.entries) tenants.add(entry.address.tenantId);
    for (const entry of old)
      byTenant.set(entry.address.tenantId, [...(byTenant.get(entry.address.tenantId) ?? []), entry]);
    for (const [tenantId, entries] of byTenant) {
      const existing = await deps.credentials.existingIds(
        tenantId,
        entries
          .map((entry) => entry.address.credentialId)
          .filter((id) => componentOfAppSecret(id) === undefined),
      );
      // An OAuth app's client secret belongs to the app item, not to a credential.
      for (const entry of entries) {
        const componentId = componentOfAppSecret(entry.address.credentialId);
        if (!componentId) continue;
        const app = await deps.oauthApps.get(tenantId, componentId).catch((error: unknown) => {
          if (!(error instanceof AppError && error.code === 'corrupt_item')) throw error;
          // A malformed app item still owns its secret: keep it, and say so.
          skipped('a malformed OAuth app item', { tenantId, componentId }, error);
          return true;
        });
        if (app) existing.add(entry.address.credentialId);
      }
      const orphans = entries.filter(
        (entry) =>
          !existing.has(entry.address.credentialId) &&
          // Only a secret whose tags name this very credential.
          entry.tags.tenant === entry.address.tenantId &&
          entry.tags.credentialId === entry.address.credentialId,
      );
      await inBatches(orphans, async ({ address }) => {
        await deps.secrets.scheduleDeletion(address);
        deps.logger.warn('scheduled deletion of an orphan secret', { credentialId: address.credentialId });
        scheduled.push(address);
      });
    }
    position = page.nextToken;
    await deps.credentials.saveSweepPosition(scope, 'orphans', position);
    if (!deps.tenantScope) {
      await deps.credentials.saveSweepPosition(scope, KNOWN_TENANTS, [...tenants].sort().join(' '));
    }
    if (!position) {
      orphansDone = true;
      break;
    }
  }

  // Items → secrets.
  let itemsDone = orphansDone;
  for (const tenantId of orphansDone ? tenants : []) {
    // Kept in the tenant's own partition, the only keys a tenant stack's role may touch.
    let cursor = await deps.credentials.sweepPosition(tenantId, 'items');
    while (timeLeft()) {
      let page: Awaited<ReturnType<typeof deps.credentials.list>>;
      try {
        page = await deps.credentials.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
      } catch (error) {
        if (cursor === undefined || !(error instanceof AppError && error.code === 'validation_failed'))
          throw error;
        skipped('a position it could not use', { pass: 'items', tenantId }, error);
        cursor = undefined;
        continue;
      }
      await inBatches(page.items, async (credential) => {
        if (credential.status === 'invalid' && credential.statusReason?.startsWith('secret_missing')) return;
        const described = await deps.secrets.describe({ tenantId, credentialId: credential.id });
        if (described && !described.deleted && described.versionIds.includes(credential.secretVersionId))
          return;
        const reason = !described
          ? 'the secret does not exist'
          : described.deleted
            ? 'the secret is scheduled for deletion'
            : 'the secret version the credential names no longer exists';
        // Changed meanwhile (a PATCH re-entered the secret): the next pass looks again.
        if (await markSecretMissing(deps, { tenantId, subject: 'sweeper' }, credential, reason)) {
          invalidated.push(credential.id);
          deps.logger.warn('credential without its secret marked invalid', { credentialId: credential.id });
        }
      });
      cursor = page.nextCursor ?? undefined;
      await deps.credentials.saveSweepPosition(tenantId, 'items', cursor);
      if (!cursor) break;
    }
    if (cursor) itemsDone = false;
  }
  return { examined, scheduled, invalidated, complete: orphansDone && itemsDone };
};
