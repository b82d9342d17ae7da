import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import type { CredentialUsage } from '../domain/flow.ts';
import { acceptedVersions, type VersionCondition, versionSatisfies } from '../domain/version-condition.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import { describeError } from '../ports/logger.ts';
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
  readonly blockingFlows: readonly CredentialUsage[];
}

const staleVersion = (currentVersion: number): AppError =>
  new AppError('version_mismatch', 'The credential changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion },
  });

/**
 * Any flow that references the credential blocks its deletion, active or not: an inactive flow
 * could be activated later and would then point at nothing. The answer lists every flow and step
 * so the user can delete them or move them to another credential (`POST .../replace`).
 */
const inUse = (credentialId: string, blockingFlows: readonly CredentialUsage[]): AppError => {
  const active = blockingFlows.filter((flow) => flow.flowStatus === 'active').length;
  return new AppError(
    'credential_in_use',
    `The credential is used by ${blockingFlows.length} flow(s), ${active} of them active. ` +
      'Delete those flows, remove the credential from their steps, or move them to another credential ' +
      `with POST /credentials/${credentialId}/replace, then delete again.`,
    {
      extensions: {
        credentialId,
        blockingFlows: blockingFlows.map((flow) => ({
          flowId: flow.flowId,
          flowName: flow.flowName,
          flowStatus: flow.flowStatus,
          stepIds: flow.stepIds,
        })),
      },
    },
  );
};

export const deleteCredential = async (
  deps: Pick<UseCaseDependencies, 'credentials' | 'secrets' | 'clock' | 'logger'>,
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
    if (input.expectedVersion !== undefined && !versionSatisfies(input.expectedVersion, credential.version)) {
      throw staleVersion(credential.version);
    }
    return {
      credentialId: input.credentialId,
      dryRun: true,
      deletable: usage.length === 0,
      blockingFlows: usage,
    };
  }

  const accepted = input.expectedVersion === undefined ? undefined : acceptedVersions(input.expectedVersion);
  // Only tags this API never issued (or weak ones): nothing can match, but the answer still names
  // the current version so the client can recover.
  if (accepted?.length === 0)
    throw staleVersion((await getCredential(deps, actor, input.credentialId)).version);
  try {
    await deps.credentials.delete(
      {
        tenantId: actor.tenantId,
        credentialId: input.credentialId,
        componentId: parsed.componentId,
        ...(accepted === undefined ? {} : { acceptedVersions: accepted }),
      },
      auditEntry(
        actor,
        { id: input.credentialId, componentId: parsed.componentId },
        'deleted',
        deps.clock.now(),
      ),
    );
  } catch (error) {
    if (error instanceof AppError && error.code === 'credential_in_use') {
      throw inUse(input.credentialId, await deps.credentials.usage(actor.tenantId, input.credentialId));
    }
    throw error;
  }

  const address = { tenantId: actor.tenantId, credentialId: input.credentialId };
  try {
    await deps.secrets.scheduleDeletion(address);
  } catch (error) {
    // The item is gone; its stream REMOVE record makes the secret purger schedule the deletion.
    deps.logger.warn('secret deletion deferred to the stream purger', {
      credentialId: input.credentialId,
      ...describeError(error),
    });
  }
  return { credentialId: input.credentialId, dryRun: false, deletable: true, blockingFlows: [] };
};
