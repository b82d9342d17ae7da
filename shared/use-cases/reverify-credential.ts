import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { Credential } from '../domain/credential.ts';
import { validateFields } from '../domain/credential-fields.ts';
import { refreshTimeBudgetMs } from '../domain/refresh-timing.ts';
import { bindSecret, unbindSecret } from '../domain/secret-binding.ts';
import { AppError } from '../errors/app-error.ts';
import type { VerificationResult } from '../ports/credential-verifier.ts';
import { getCredential } from './get-credential.ts';
import { refreshCredential } from './oauth2-refresh.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { stateOf } from './verify-before-saving.ts';

export interface ReverifyResult {
  readonly credential: Credential;
  /** Without `updatedValues`: renewed secrets are stored, never returned. */
  readonly verification: VerificationResult;
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
  if (component.verification.kind === 'oauth2' && current.secretFieldsSet.includes('refreshToken'))
    return reverifyByRefresh(deps, actor, current);
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

/**
 * A refresh proves an OAuth2 credential, and it must be the one single-flight refresh that resolve
 * uses: a second path presenting the same rotating refresh token would spend it twice.
 */
const reverifyByRefresh = async (
  deps: UseCaseDependencies,
  actor: Actor,
  current: Credential,
): Promise<ReverifyResult> => {
  try {
    const { credential } = await refreshCredential(deps, actor, current, {
      audit: {},
      deadline: Date.now() + refreshTimeBudgetMs(deps.refresh),
      force: true,
      isFresh: () => false,
    });
    return { credential, verification: { outcome: 'verified' } };
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'credential_invalid') throw error;
    const credential = await getCredential(deps, actor, current.id);
    return {
      credential,
      verification: {
        outcome: 'failed',
        reason: 'invalid_credentials',
        detail: credential.statusReason ?? 'the token endpoint refused the refresh token.',
      },
    };
  }
};
