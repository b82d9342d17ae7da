import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import type { Flow } from '../domain/flow.ts';
import { AppError, validationFailed } from '../errors/app-error.ts';
import type { FlowChange } from '../ports/flow-repository.ts';
import { getCredential } from './get-credential.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

export interface ReplaceCredentialInput {
  readonly credentialId: string;
  readonly replacementId: string;
}

const OPTIMISTIC_ATTEMPTS = 3;

const moveSteps = (flow: Flow, from: string, to: string, actor: Actor, now: string): FlowChange => ({
  previous: flow,
  next: {
    ...flow,
    steps: flow.steps.map((step) => (step.credentialId === from ? { ...step, credentialId: to } : step)),
    version: flow.version + 1,
    updatedAt: now,
    updatedBy: actor.subject,
  },
});

/**
 * One flow moved costs 3 transaction items (the flow, the old usage deleted, the new usage put);
 * the two credentials' reference counts cost 2 more, and the replaced credential's audit record
 * one. DynamoDB allows 100 items: 32 flows.
 */
export const FLOWS_PER_TRANSACTION = 32;

const batches = (changes: FlowChange[]): FlowChange[][] => {
  const result: FlowChange[][] = [];
  for (let start = 0; start < changes.length; start += FLOWS_PER_TRANSACTION) {
    result.push(changes.slice(start, start + FLOWS_PER_TRANSACTION));
  }
  return result;
};

/**
 * Moves every step that uses `credentialId` to `replacementId`. Each batch of up to 32 flows is one
 * transaction: a flow is either fully moved or untouched, and the reference counts move with it.
 * Beyond one batch the move is not atomic as a whole; running it again finishes what is left.
 */
export const replaceCredential = async (
  deps: Pick<UseCaseDependencies, 'credentials' | 'flows' | 'clock'>,
  actor: Actor,
  input: ReplaceCredentialInput,
) => {
  if (input.credentialId === input.replacementId) {
    throw validationFailed([
      { path: 'replacementId', message: 'must differ from the credential being replaced' },
    ]);
  }
  const source = await getCredential(deps, actor, input.credentialId);
  // Only "not found" means a bad reference; any other failure is the service's and must surface.
  const replacement = await getCredential(deps, actor, input.replacementId).catch((error: unknown) => {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  });
  if (!replacement || replacement.componentId !== source.componentId) {
    throw new AppError(
      'invalid_flow_reference',
      `Replacement '${input.replacementId.slice(0, 100)}' does not exist or is not a '${source.componentId}' credential.`,
      { extensions: { credentialId: input.replacementId, componentId: source.componentId } },
    );
  }

  const moved: { flowId: string; stepIds: readonly string[] }[] = [];
  for (let attempt = 1; ; attempt++) {
    const usage = await deps.credentials.usage(actor.tenantId, input.credentialId);
    if (usage.length === 0) break;
    const flows = (await Promise.all(usage.map((use) => deps.flows.get(actor.tenantId, use.flowId)))).filter(
      (flow): flow is Flow => flow !== null,
    );
    const now = deps.clock.now().toISOString();
    try {
      for (const batch of batches(
        flows.map((flow) => moveSteps(flow, input.credentialId, input.replacementId, actor, now)),
      )) {
        // Audited (and so evented) in the batch's own transaction, naming the flows it moved.
        await deps.flows.apply(batch, [
          auditEntry(actor, source, 'replaced', deps.clock.now(), {
            detail: input.replacementId,
            flows: batch.map((change) => ({
              flowId: change.previous?.flowId ?? '',
              flowName: change.previous?.name ?? '',
              // A move changes a flow's steps, never its status: as it was, and is.
              flowStatus: change.previous?.status ?? 'inactive',
            })),
          }),
        ]);
        for (const change of batch) {
          const stepIds = (change.previous?.steps ?? [])
            .filter((step) => step.credentialId === input.credentialId)
            .map((step) => step.stepId);
          moved.push({ flowId: change.previous?.flowId ?? '', stepIds });
        }
      }
      break;
    } catch (error) {
      const raced = error instanceof AppError && error.code === 'version_mismatch';
      if (!raced || attempt >= OPTIMISTIC_ATTEMPTS) throw error;
    }
  }
  return { credentialId: input.credentialId, replacementId: input.replacementId, movedFlows: moved };
};
