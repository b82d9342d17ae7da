import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { type Credential, editVersionOf } from '../domain/credential.ts';
import { type FieldValues, mergeFieldChanges, validateFields } from '../domain/credential-fields.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { carriedExpiryWarning, nextCheckAt } from '../domain/health-schedule.ts';
import { assertSecretsResentWithDestination, bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import { type VersionCondition, versionSatisfies } from '../domain/version-condition.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { CredentialChanges } from '../ports/credential-repository.ts';
import { getCredential } from './get-credential.ts';
import { revokeReplacedTokens } from './token-revocation.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { verifyBeforeSaving } from './verify-before-saving.ts';

export interface UpdateCredentialInput {
  readonly credentialId: string;
  readonly expectedVersion: VersionCondition;
  readonly name?: string | null;
  /** Merged into the stored fields: a field not sent keeps its value, `null` clears an optional one. */
  readonly fields?: Record<string, unknown>;
}

const staleVersion = (current: Credential): AppError =>
  new AppError('version_mismatch', 'The credential changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion: editVersionOf(current) },
  });

/** How many times an edit is written again when only what the service keeps changed meanwhile. */
const ATTEMPTS = 3;

export const updateCredential = async (
  deps: UseCaseDependencies,
  actor: Actor,
  input: UpdateCredentialInput,
): Promise<Credential> => {
  const componentId = parseCredentialId(input.credentialId)?.componentId;
  if (componentId === undefined) throw notFound('Credential');
  // Decided from the request alone, before any AWS or network call: a redirect of stored secrets.
  if (input.fields !== undefined) {
    const component = deps.components.find(componentId);
    if (component) assertSecretsResentWithDestination(component, input.fields);
  }
  const current = await getCredential(deps, actor, input.credentialId);
  // Checked before any write so a stale client never creates a secret version. Against the edit
  // version: a scheduled check or a refresh since the person read it is no reason to refuse.
  if (!versionSatisfies(input.expectedVersion, editVersionOf(current))) throw staleVersion(current);

  const now = deps.clock.now();
  const changes: { -readonly [K in keyof CredentialChanges]: CredentialChanges[K] } = {
    editVersion: editVersionOf(current) + 1,
    updatedAt: now.toISOString(),
    updatedBy: actor.subject,
  };
  if (input.name !== undefined) changes.name = input.name;
  // What a new secret version replaced: its tokens are revoked once the change is committed.
  let replacedSecret: { before: FieldValues; after: FieldValues } | undefined;

  if (input.fields !== undefined && Object.keys(input.fields).length > 0) {
    const component = deps.components.get(current.componentId);
    const address = { tenantId: actor.tenantId, credentialId: current.id };
    const stored = await deps.secrets.read(address, current.secretVersionId);
    const storedSecret = unbindSecret(component, current.fields, stored.values);
    const merged = mergeFieldChanges({ ...current.fields, ...storedSecret }, input.fields);
    const verified = await verifyBeforeSaving(
      deps.verifier,
      component,
      validateFields(component, merged),
      now,
      {
        mayRefresh: typeof input.fields.refreshToken === 'string',
      },
    );
    const { plain, secret } = verified.fields;
    const expiryWarnedFor = carriedExpiryWarning(component, current.expiryWarnedFor, plain);
    Object.assign(changes, verified.state, {
      checkDueAt: nextCheckAt(
        component,
        {
          id: current.id,
          ...verified.state,
          fields: plain,
          expiryWarnedFor,
        },
        now,
        0,
        deps.health,
      ),
      healthFailures: 0,
      expiryWarnedFor,
    });
    changes.fields = plain;
    changes.secretFieldsSet = Object.keys(secret).sort();
    const bound = bindSecret(component, plain, secret);
    if (!isDeepStrictEqual(bound, stored.values)) {
      // A new Secrets Manager version. The item records which version is current, so a PATCH that
      // loses the race below leaves only an unreferenced version, never a mismatched credential.
      changes.secretVersionId = await deps.secrets.putVersion(address, bound, randomUUID());
      replacedSecret = { before: storedSecret, after: secret };
    }
  }
  // The record carries the name as it is after the change.
  const renamed = { ...current, name: 'name' in changes ? (changes.name ?? null) : current.name };
  // New secrets that verify, after the credential had failed: also a recovery, said once.
  const recovered =
    (current.status === 'invalid' || current.status === 'unreachable') && changes.status === 'verified';
  // What was edited, by name only (never a value): the name, and each field sent.
  const edited = [...(input.name !== undefined ? ['name'] : []), ...Object.keys(input.fields ?? {}).sort()];
  const records = [
    auditEntry(
      actor,
      renamed,
      'updated',
      now,
      edited.length > 0 ? { detail: edited.join(', ').slice(0, 300) } : {},
    ),
    ...(recovered ? [auditEntry(actor, renamed, 'recovered', now)] : []),
  ];
  let written = current;
  let updated: Credential | undefined;
  for (let attempt = 1; !updated; attempt++) {
    try {
      updated = await deps.credentials.update(written, changes, records);
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'version_mismatch') || attempt >= ATTEMPTS)
        throw error;
      // Changed since it was read. Only the status the service keeps (a scheduled check): the edit
      // is written on the newer item. A person's edit, or new secrets (a refresh) under an edit of
      // secrets: a real conflict, answered as one.
      const latest = await getCredential(deps, actor, input.credentialId);
      const secretsMoved = replacedSecret !== undefined && latest.secretVersionId !== current.secretVersionId;
      if (editVersionOf(latest) !== editVersionOf(current) || secretsMoved) throw staleVersion(latest);
      written = latest;
    }
  }
  const component = deps.components.get(current.componentId);
  // At a provider that revokes per grant, the replaced token may share its grant with the new ones
  // (the same person consenting again): revoking it would end the credential just repaired.
  if (replacedSecret && component.provider?.revocationScope === 'token')
    await revokeReplacedTokens(deps, actor.tenantId, component, replacedSecret.before, replacedSecret.after);
  return updated;
};
