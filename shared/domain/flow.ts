export type FlowStatus = 'active' | 'inactive';

export interface FlowStep {
  readonly stepId: string;
  readonly componentId: string;
  readonly credentialId: string;
}

export interface Flow {
  readonly tenantId: string;
  readonly flowId: string;
  readonly name: string;
  readonly status: FlowStatus;
  readonly steps: readonly FlowStep[];
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** One credential as used by one flow: the unit the in-use guard counts. */
export interface CredentialUse {
  readonly credentialId: string;
  readonly componentId: string;
  readonly stepIds: readonly string[];
}

export interface CredentialUsage {
  readonly flowId: string;
  readonly flowName: string;
  readonly flowStatus: FlowStatus;
  readonly stepIds: readonly string[];
}

export const usesOf = (steps: readonly FlowStep[]): Map<string, CredentialUse> => {
  const uses = new Map<string, CredentialUse>();
  for (const step of steps) {
    const existing = uses.get(step.credentialId);
    uses.set(step.credentialId, {
      credentialId: step.credentialId,
      componentId: step.componentId,
      stepIds: [...(existing?.stepIds ?? []), step.stepId],
    });
  }
  return uses;
};

export const toFlowView = (flow: Flow) => ({
  flowId: flow.flowId,
  name: flow.name,
  status: flow.status,
  steps: flow.steps,
  version: flow.version,
  createdAt: flow.createdAt,
  updatedAt: flow.updatedAt,
  updatedBy: flow.updatedBy,
});
