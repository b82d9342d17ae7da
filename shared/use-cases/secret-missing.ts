import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import { AppError } from '../errors/app-error.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

/** The secret store's answer when a credential's secret (or the version it names) is gone. */
export const isSecretMissing = (error: unknown): error is AppError =>
  error instanceof AppError &&
  error.code === 'credential_invalid' &&
  error.extensions.reason === 'secret_missing';

/**
 * Marks a credential whose secret is gone `invalid` (`secret_missing`), with the `invalidated`
 * record that sends its event: whoever finds it first (a resolve, a check, the sweeper) says so at
 * once. Lost to a concurrent change (a PATCH that re-entered the secret): that change stands.
 */
export const markSecretMissing = async (
  deps: Pick<UseCaseDependencies, 'credentials' | 'clock'>,
  actor: Actor,
  credential: Credential,
  reason: string,
): Promise<boolean> => {
  if (credential.status === 'invalid' && credential.statusReason?.startsWith('secret_missing')) return false;
  const now = deps.clock.now();
  try {
    await deps.credentials.update(
      credential,
      {
        status: 'invalid',
        statusReason: `secret_missing: ${reason}; enter the secret fields again.`,
        checkDueAt: null,
        updatedAt: now.toISOString(),
        updatedBy: actor.subject,
      },
      auditEntry(actor, credential, 'invalidated', now, { detail: 'secret_missing' }),
    );
    return true;
  } catch (error) {
    if (error instanceof AppError && (error.code === 'version_mismatch' || error.code === 'not_found'))
      return false;
    throw error;
  }
};
