import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import { validateFields } from '../domain/credential-fields.ts';
import { bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import type { VerificationResult } from '../ports/credential-verifier.ts';
import { getCredential } from './get-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { stateOf } from './verify-before-saving.ts';

export interface ReverifyResult {
  readonly credential: Credential;
  readonly verification: Omit<VerificationResult, 'updatedValues'>;
}

/**
 * `POST /credentials/{id}/verify`: re-runs the dry request on a stored credential and records its
 * health (`verified` | `invalid` | `unreachable`, the reason, `lastVerifiedAt`) on the metadata.
 */
export const reverifyCredential = async (
  deps: UseCaseDependencies,
  actor: Actor,
  credentialId: string,
): Promise<ReverifyResult> => {
  const current = await getCredential(deps, actor, credentialId);
  const component = deps.components.get(current.componentId);
  const address = { tenantId: actor.tenantId, credentialId };
  const stored = await deps.secrets.read(address, current.secretVersionId);
  // Only to the destination the secret was saved with: an item changed behind the API is refused.
  const storedSecret = unbindSecret(component, current.fields, stored.values);
  const result = await deps.verifier.verify(component, { ...current.fields, ...storedSecret });
  const now = deps.clock.now();
  let renewed: { secretVersionId?: string; fields?: Credential['fields'] } = {};
  if (result.outcome === 'verified' && result.updatedValues) {
    const { plain, secret } = validateFields(component, result.updatedValues);
    renewed = { fields: plain };
    const bound = bindSecret(component, plain, secret);
    if (!isDeepStrictEqual(bound, stored.values)) {
      renewed.secretVersionId = await deps.secrets.putVersion(address, bound, randomUUID());
    }
  }
  const state = stateOf(result, now);
  const credential = await deps.credentials.update(
    current,
    {
      ...state,
      ...renewed,
      updatedAt: now.toISOString(),
      updatedBy: actor.subject,
    },
    auditEntry(actor, current, state.status === 'invalid' ? 'invalidated' : 'verified', now, {
      ...(state.statusReason ? { detail: state.statusReason } : {}),
    }),
  );
  const { updatedValues: _renewedValues, ...verification } = result as VerificationResult & {
    updatedValues?: unknown;
  };
  return { credential, verification };
};
