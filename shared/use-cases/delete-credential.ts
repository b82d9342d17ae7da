import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { editVersionOf } from '../domain/credential.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import type { CredentialUsage } from '../domain/flow.ts';
import { acceptedVersions, type VersionCondition, versionSatisfies } from '../domain/version-condition.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import { getCredential } from './get-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

export interface DeleteCredentialInput {
  readonly credentialId: string;
  readonly expectedVersion?: VersionCondition;
  readonly dryRun?: boolean;
}

export interface DeletePlan {
  readonly credentialId: string;
  readonly dryRun: boolean;
  readonly deletable: boolean;
  /** The active flows that use the credential: while there is one, it cannot be deleted. */
  readonly blockingFlows: readonly CredentialUsage[];
  /** The inactive flows whose steps lose the credential (they stay, marked as needing one). */
  readonly affectedFlows: readonly CredentialUsage[];
}

/** Credential, count and audit, plus a flow update and a usage delete per inactive flow. */
export const MAX_INACTIVE_FLOWS_PER_DELETE = 48;
const ATTEMPTS = 3;

const staleVersion = (currentVersion: number): AppError =>
  new AppError('version_mismatch', 'The credential changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion },
  });

/** The flows that block a delete (active) and those that only lose the credential (inactive). */
const split = (usage: readonly CredentialUsage[]) => ({
  active: usage.filter((flow) => flow.flowStatus === 'active'),
  inactive: usage.filter((flow) => flow.flowStatus !== 'active'),
});

/**
 * As the product says: a credential used by an active flow cannot be deleted, since the flow would
 * break. The answer names those flows and their steps (and, for information, the inactive flows
 * that would lose the credential) so the user can deactivate or delete them, or move them to
 * another credential, then delete again.
 */
const inUse = (credentialId: string, usage: readonly CredentialUsage[]): AppError => {
  const { active, inactive } = split(usage);
  return new AppError(
    'credential_in_use',
    `The credential is used by ${active.length} active flow(s). Deactivate or delete them, or move their ` +
      'steps to another credential, then delete again.',
    {
      extensions: {
        credentialId,
        blockingFlows: active,
        affectedFlows: inactive,
      },
    },
  );
};

const tooManyFlows = (count: number): AppError =>
  new AppError(
    'too_many_references',
    `${count} inactive flows use this credential; a delete can mark at most ${MAX_INACTIVE_FLOWS_PER_DELETE}. ` +
      'Delete some of those flows or move them to another credential, then delete again.',
  );

export const deleteCredential = async (
  deps: Pick<UseCaseDependencies, 'credentials' | 'secrets' | 'clock' | 'logger' | 'components'>,
  actor: Actor,
  input: DeleteCredentialInput,
): Promise<DeletePlan> => {
  const parsed = parseCredentialId(input.credentialId);
  if (!parsed) throw notFound('Credential');

  if (input.dryRun) {
    const [credential, usage] = await Promise.all([
      getCredential(deps, actor, input.credentialId),
      deps.credentials.usage(actor.tenantId, input.credentialId),
    ]);
    if (
      input.expectedVersion !== undefined &&
      !versionSatisfies(input.expectedVersion, editVersionOf(credential))
    ) {
      throw staleVersion(editVersionOf(credential));
    }
    const { active, inactive } = split(usage);
    return {
      credentialId: input.credentialId,
      dryRun: true,
      deletable: active.length === 0 && inactive.length <= MAX_INACTIVE_FLOWS_PER_DELETE,
      blockingFlows: active,
      affectedFlows: inactive,
    };
  }

  const accepted = input.expectedVersion === undefined ? undefined : acceptedVersions(input.expectedVersion);
  // Only tags this API never issued (or weak ones): nothing can match, but the answer still names
  // the current version so the client can recover.
  if (accepted?.length === 0)
    throw staleVersion(editVersionOf(await getCredential(deps, actor, input.credentialId)));

  // Most credentials being deleted are used by no flow: the first try assumes so and costs no read.
  // When its condition says otherwise, the flows are read and the delete planned again with them.
  let usage: readonly CredentialUsage[] = [];
  let affected: readonly CredentialUsage[] = [];
  for (let attempt = 1; ; attempt++) {
    const { active, inactive } = split(usage);
    if (active.length > 0) throw inUse(input.credentialId, usage);
    if (inactive.length > MAX_INACTIVE_FLOWS_PER_DELETE) throw tooManyFlows(inactive.length);
    try {
      await deps.credentials.delete(
        {
          tenantId: actor.tenantId,
          credentialId: input.credentialId,
          componentId: parsed.componentId,
          inactiveFlowIds: inactive.map((flow) => flow.flowId),
          ...(accepted === undefined ? {} : { acceptedVersions: accepted }),
        },
        auditEntry(
          actor,
          { id: input.credentialId, componentId: parsed.componentId },
          'deleted',
          deps.clock.now(),
        ),
      );
      affected = inactive;
      break;
    } catch (error) {
      // Flows use it, or the ones that do changed since they were read: read them (again).
      const raced = error instanceof AppError && error.code === 'credential_in_use';
      if (!raced) throw error;
      usage = await deps.credentials.usage(actor.tenantId, input.credentialId);
      if (attempt >= ATTEMPTS) throw inUse(input.credentialId, usage);
    }
  }

  const address = { tenantId: actor.tenantId, credentialId: input.credentialId };
  try {
    // A credential whose provider takes revocations keeps its secret until the stream purger has
    // revoked its tokens (seconds later): the person's delete never waits on the provider.
    if (!deps.components.find(parsed.componentId)?.provider?.revocationUrl)
      await deps.secrets.scheduleDeletion(address);
  } catch (error) {
    // The item is gone; its stream REMOVE record makes the secret purger schedule the deletion.
    deps.logger.warn('secret deletion deferred to the stream purger', {
      credentialId: input.credentialId,
      ...describeError(error),
    });
  }
  return {
    credentialId: input.credentialId,
    dryRun: false,
    deletable: true,
    blockingFlows: [],
    affectedFlows: affected,
  };
};
