import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { type Credential, defaultCredentialName } from '../domain/credential.ts';
import { validateFields } from '../domain/credential-fields.ts';
import { formatCredentialId } from '../domain/credential-id.ts';
import { nextCheckAt } from '../domain/health-schedule.ts';
import { bindSecret } from '../domain/secret-binding.ts';
import { AppError } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import { isDefiniteFailure } from '../errors/transient-failure.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';
import { verifyBeforeSaving } from './verify-before-saving.ts';

export interface CreateCredentialInput {
  readonly componentId: string;
  readonly name?: string | null;
  readonly fields: Record<string, unknown>;
  readonly idempotencyKey?: string;
}

export interface CreateCredentialResult {
  readonly credential: Credential;
  /** False when an Idempotency-Key replay returned the credential created earlier. */
  readonly created: boolean;
}

export const IDEMPOTENCY_WINDOW_HOURS = 24;

/** The ports a create uses: its function composes these alone (no flows, leases or OAuth apps). */
export type CreateDependencies = Pick<
  UseCaseDependencies,
  'components' | 'clock' | 'verifier' | 'ids' | 'health' | 'credentials' | 'secrets' | 'logger'
>;

/**
 * What identifies "the same request" for an Idempotency-Key. Secret values are left out on purpose:
 * even a hash of them must not reach DynamoDB.
 */
const requestHash = (
  input: CreateCredentialInput,
  plain: Record<string, unknown>,
  secretNames: string[],
): string =>
  createHash('sha256')
    .update(
      JSON.stringify([
        input.componentId,
        input.name ?? null,
        Object.entries(plain).sort(),
        secretNames.sort(),
      ]),
    )
    .digest('base64url');

export const createCredential = async (
  deps: CreateDependencies,
  actor: Actor,
  input: CreateCredentialInput,
): Promise<CreateCredentialResult> => {
  const component = deps.components.require(input.componentId);
  const now = deps.clock.now();
  const verified = await verifyBeforeSaving(
    deps.verifier,
    component,
    validateFields(component, input.fields),
    now,
  );
  const { plain, secret } = verified.fields;

  const id = formatCredentialId(deps.ids.next(), component.id);
  const address = { tenantId: actor.tenantId, credentialId: id };
  const secretVersionId = await createSecret(deps, address, bindSecret(component, plain, secret));

  const timestamp = now.toISOString();
  const credential: Credential = {
    tenantId: actor.tenantId,
    id,
    componentId: component.id,
    name: input.name ?? defaultCredentialName(component.name, verified.accountName),
    fields: plain,
    secretFieldsSet: Object.keys(secret).sort(),
    secretVersionId,
    ...verified.state,
    checkDueAt: nextCheckAt(component, { id, ...verified.state, fields: plain }, now, 0, deps.health),
    version: 1,
    activeFlowCount: 0,
    flowCount: 0,
    createdAt: timestamp,
    updatedAt: timestamp,
    createdBy: actor.subject,
    updatedBy: actor.subject,
  };
  const idempotency = input.idempotencyKey
    ? {
        key: input.idempotencyKey,
        requestHash: requestHash(input, plain, Object.keys(secret)),
        expiresAt: new Date(now.getTime() + IDEMPOTENCY_WINDOW_HOURS * 3_600_000).toISOString(),
      }
    : undefined;

  let outcome: Awaited<ReturnType<typeof deps.credentials.create>>;
  try {
    outcome = await deps.credentials.create(
      credential,
      idempotency,
      auditEntry(actor, credential, 'created', now),
    );
  } catch (error) {
    if (error instanceof AppError || isDefiniteFailure(error)) {
      // Refused, so nothing references the secret: it can go at once.
      await discardSecret(deps, address, 'metadata write refused');
      throw error;
    }
    // Outcome unknown: the transaction may have committed. Never delete a secret an item may
    // reference; if the item is not there, the orphan sweeper removes the secret after its grace.
    const written = await deps.credentials.get(actor.tenantId, id).catch(() => undefined);
    if (written && written.secretVersionId === secretVersionId) return { credential: written, created: true };
    deps.logger.warn('credential write outcome unknown; the secret is left to the orphan sweeper', {
      credentialId: id,
      ...describeError(error),
    });
    throw error;
  }
  if (outcome.kind === 'replayed') {
    // This attempt's secret lost to the earlier request's: it was never exposed.
    await discardSecret(deps, address, 'idempotent replay');
    return { credential: outcome.credential, created: false };
  }
  return { credential, created: true };
};

const CREATE_ATTEMPTS = 3;

/**
 * CreateSecret, retried with one ClientRequestToken: a create whose answer was lost is answered
 * with the same version on retry, instead of leaving a secret nobody knows about. If every attempt
 * fails, a secret that may exist anyway is removed (nothing references it yet).
 */
const createSecret = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'logger'>,
  address: { tenantId: string; credentialId: string },
  value: Record<string, string | number>,
): Promise<string> => {
  const requestToken = randomUUID();
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.secrets.create(address, value, requestToken);
    } catch (error) {
      if (isDefiniteFailure(error) || attempt >= CREATE_ATTEMPTS) {
        if (!isDefiniteFailure(error)) await discardSecret(deps, address, 'create outcome unknown');
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
};

/**
 * The secret was created but no item points at it. Delete it now; if even that fails, the orphan
 * sweeper (see `sweepOrphanSecrets`) finds it by its tags and removes it later.
 */
const discardSecret = async (
  deps: Pick<UseCaseDependencies, 'secrets' | 'logger'>,
  address: { tenantId: string; credentialId: string },
  why: string,
): Promise<void> => {
  try {
    await deps.secrets.deleteNow(address);
  } catch (error) {
    deps.logger.error('could not discard unreferenced secret; the orphan sweeper will', {
      credentialId: address.credentialId,
      why,
      ...describeError(error),
    });
  }
};
