import type { Actor } from '../domain/actor.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { type Flow, type FlowStatus, type FlowStep, stepsMissingCredential, usesOf } from '../domain/flow.ts';
import { type VersionCondition, versionSatisfies } from '../domain/version-condition.ts';
import { AppError, validationFailed } from '../errors/app-error.ts';
import type { FlowChange } from '../ports/flow-repository.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

export interface PutFlowInput {
  readonly flowId: string;
  readonly name: string;
  readonly status: FlowStatus;
  readonly steps: readonly FlowStep[];
  readonly expectedVersion?: VersionCondition;
}

/** One flow item plus, per credential, one reference update and one usage item must fit in 100. */
export const MAX_CREDENTIALS_PER_FLOW = 49;
const OPTIMISTIC_ATTEMPTS = 3;

/** Rejects what the input alone shows to be wrong, before any AWS call. */
const checkSteps = (deps: Pick<UseCaseDependencies, 'components'>, steps: readonly FlowStep[]): void => {
  const seen = new Set<string>();
  steps.forEach((step, index) => {
    if (seen.has(step.stepId))
      throw validationFailed([{ path: `steps.${index}.stepId`, message: 'is used twice' }]);
    seen.add(step.stepId);
    deps.components.require(step.componentId, `steps.${index}.componentId`);
    const parsed = parseCredentialId(step.credentialId);
    if (!parsed || parsed.componentId !== step.componentId) {
      throw new AppError(
        'invalid_flow_reference',
        `Step '${step.stepId}': credential '${step.credentialId.slice(0, 100)}' does not exist or is not a '${step.componentId}' credential.`,
        {
          extensions: {
            credentialId: step.credentialId,
            componentId: step.componentId,
            steps: [step.stepId],
          },
        },
      );
    }
  });
  if (usesOf(steps).size > MAX_CREDENTIALS_PER_FLOW) {
    throw new AppError(
      'too_many_references',
      `A flow may use at most ${MAX_CREDENTIALS_PER_FLOW} distinct credentials.`,
    );
  }
};

const checkVersion = (
  flowId: string,
  previous: Flow | null,
  expectedVersion: VersionCondition | undefined,
): void => {
  if (expectedVersion !== undefined && !versionSatisfies(expectedVersion, previous?.version)) {
    throw new AppError(
      'version_mismatch',
      `Flow '${flowId}' changed since you read it. Read it again, then retry.`,
      {
        extensions: { currentVersion: previous?.version ?? 0 },
      },
    );
  }
};

/**
 * An active flow must never point at nothing. This reads the marker the credential's delete wrote
 * on the flow (guarded by the flow's version in the same transaction that activates it); a delete
 * that races this activation changes that version, so the activation is planned again and refused.
 */
const refuseMissingCredentials = (flow: Flow): void => {
  const steps = stepsMissingCredential(flow);
  if (steps.length === 0) return;
  throw new AppError(
    'credential_missing',
    `Flow '${flow.flowId}' cannot be activated: step(s) ${steps.map((step) => `'${step.stepId}'`).join(', ')} ` +
      'name a credential that was deleted. Give them another credential first.',
    {
      extensions: {
        flowId: flow.flowId,
        steps: steps.map((step) => step.stepId),
        credentialIds: [...new Set(steps.map((step) => step.credentialId))],
      },
    },
  );
};

/**
 * Reads the flow, plans the change, and applies it in one transaction. Without If-Match, a flow
 * changed concurrently is re-read and the change planned again; with If-Match, the client decides.
 */
export const changeFlow = async (
  deps: Pick<UseCaseDependencies, 'flows'>,
  actor: Actor,
  flowId: string,
  expectedVersion: VersionCondition | undefined,
  plan: (previous: Flow | null) => FlowChange,
): Promise<FlowChange> => {
  for (let attempt = 1; ; attempt++) {
    const previous = await deps.flows.get(actor.tenantId, flowId);
    checkVersion(flowId, previous, expectedVersion);
    const change = plan(previous);
    try {
      await deps.flows.apply([change]);
      return change;
    } catch (error) {
      const raced = error instanceof AppError && error.code === 'version_mismatch';
      if (!raced || expectedVersion !== undefined || attempt >= OPTIMISTIC_ATTEMPTS) throw error;
    }
  }
};

export const putFlow = async (
  deps: Pick<UseCaseDependencies, 'flows' | 'components' | 'clock'>,
  actor: Actor,
  input: PutFlowInput,
): Promise<{ flow: Flow; created: boolean }> => {
  checkSteps(deps, input.steps);
  const change = await changeFlow(deps, actor, input.flowId, input.expectedVersion, (previous) => {
    const now = deps.clock.now().toISOString();
    const steps = input.steps.map(({ stepId, componentId, credentialId }) => ({
      stepId,
      componentId,
      credentialId,
    }));
    // A credential deleted while the flow was inactive stays missing for the steps that still name it.
    const named = new Set(steps.map((step) => step.credentialId));
    const missingCredentialIds = (previous?.missingCredentialIds ?? []).filter((id) => named.has(id));
    const next: Flow = {
      tenantId: actor.tenantId,
      flowId: input.flowId,
      name: input.name,
      status: input.status,
      steps,
      version: (previous?.version ?? 0) + 1,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      updatedBy: actor.subject,
      ...(missingCredentialIds.length > 0 ? { missingCredentialIds } : {}),
    };
    if (next.status === 'active') refuseMissingCredentials(next);
    return { previous, next };
  });
  if (!change.next) throw new Error('unreachable: putFlow always plans a next flow');
  return { flow: change.next, created: change.previous === null };
};
