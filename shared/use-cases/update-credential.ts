import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import { mergeFieldChanges, validateFields } from '../domain/credential-fields.ts';
import { AppError } from '../errors/app-error.ts';
import type { CredentialChanges } from '../ports/credential-repository.ts';
import { getCredential } from './get-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { verifyBeforeSaving } from './verify-before-saving.ts';

export interface UpdateCredentialInput {
  readonly credentialId: string;
  readonly expectedVersion: number;
  readonly name?: string | null;
  /** Merged into the stored fields: a field not sent keeps its value, `null` clears an optional one. */
  readonly fields?: Record<string, unknown>;
}

const staleVersion = (current: Credential): AppError =>
  new AppError('version_mismatch', 'The credential changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion: current.version },
  });

export const updateCredential = async (
  deps: UseCaseDependencies,
  actor: Actor,
  input: UpdateCredentialInput,
): Promise<Credential> => {
  const current = await getCredential(deps, actor, input.credentialId);
  // Checked before any write so a stale client never creates a secret version.
  if (current.version !== input.expectedVersion) throw staleVersion(current);

  const now = deps.clock.now();
  const changes: { -readonly [K in keyof CredentialChanges]: CredentialChanges[K] } = {
    updatedAt: now.toISOString(),
    updatedBy: actor.subject,
  };
  if (input.name !== undefined) changes.name = input.name;

  if (input.fields !== undefined && Object.keys(input.fields).length > 0) {
    const component = deps.components.get(current.componentId);
    const address = { tenantId: actor.tenantId, credentialId: current.id };
    const stored = await deps.secrets.read(address, current.secretVersionId);
    const merged = mergeFieldChanges({ ...current.fields, ...stored.values }, input.fields);
    const verified = await verifyBeforeSaving(
      deps.verifier,
      component,
      validateFields(component, merged),
      now,
    );
    const { plain, secret } = verified.fields;
    Object.assign(changes, verified.state);
    changes.fields = plain;
    changes.secretFieldsSet = Object.keys(secret).sort();
    if (!isDeepStrictEqual(secret, stored.values)) {
      // A new Secrets Manager version. The item records which version is current, so a PATCH that
      // loses the race below leaves only an unreferenced version, never a mismatched credential.
      changes.secretVersionId = await deps.secrets.putVersion(address, secret, randomUUID());
    }
  }
  return deps.credentials.update(current, changes, auditEntry(actor, current, 'updated', now));
};
