import type { Actor } from '../domain/actor.ts';
import type { Flow } from '../domain/flow.ts';
import type { VersionCondition } from '../domain/version-condition.ts';
import { AppError, notFound } from '../errors/app-error.ts';
import type { Page } from '../ports/credential-repository.ts';
import { getCredential } from './get-credential.ts';
import { changeFlow } from './put-flow.ts';
import type { ReadingDependencies, UseCaseDependencies } from './use-case-dependencies.ts';

export const getFlow = async (
  deps: Pick<UseCaseDependencies, 'flows'>,
  actor: Actor,
  flowId: string,
): Promise<Flow> => {
  const flow = await deps.flows.get(actor.tenantId, flowId);
  if (!flow) throw notFound('Flow');
  return flow;
};

export const listFlows = (
  deps: Pick<UseCaseDependencies, 'flows'>,
  actor: Actor,
  query: { limit: number; cursor?: string },
): Promise<Page<Flow>> => deps.flows.list(actor.tenantId, query);

/**
 * Deleting a flow releases its references in the same transaction as the flow item. A flow item
 * that no longer parses can still be deleted: its usage items say what it referenced.
 */
export const deleteFlow = async (
  deps: Pick<UseCaseDependencies, 'flows'>,
  actor: Actor,
  input: { flowId: string; expectedVersion?: VersionCondition },
): Promise<void> => {
  try {
    await changeFlow(deps, actor, input.flowId, input.expectedVersion, (previous) => {
      if (!previous) throw notFound('Flow');
      return { previous, next: null };
    });
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'corrupt_item')) throw error;
    await deps.flows.deleteCorrupt(actor.tenantId, input.flowId);
  }
};

export const credentialUsage = async (deps: ReadingDependencies, actor: Actor, credentialId: string) => {
  // One round: the item and its usage are read side by side (a missing credential still answers 404).
  const [credential, flows] = await Promise.all([
    getCredential(deps, actor, credentialId),
    deps.credentials.usage(actor.tenantId, credentialId),
  ]);
  return {
    credentialId,
    activeFlowCount: credential.activeFlowCount,
    flowCount: credential.flowCount,
    flows,
  };
};
