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
  /**
   * Credentials this (inactive) flow's steps still name although they were deleted. Set by the
   * credential's delete, in its transaction; the flow cannot be activated until those steps use
   * another credential.
   */
  readonly missingCredentialIds?: readonly string[];
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

/** The steps whose credential was deleted while the flow was inactive. */
export const stepsMissingCredential = (flow: Flow): FlowStep[] => {
  const missing = new Set(flow.missingCredentialIds ?? []);
  return flow.steps.filter((step) => missing.has(step.credentialId));
};

export const toFlowView = (flow: Flow) => ({
  flowId: flow.flowId,
  name: flow.name,
  status: flow.status,
  steps: flow.steps.map((step) => ({
    stepId: step.stepId,
    componentId: step.componentId,
    credentialId: step.credentialId,
    credentialMissing: (flow.missingCredentialIds ?? []).includes(step.credentialId),
  })),
  version: flow.version,
  createdAt: flow.createdAt,
  updatedAt: flow.updatedAt,
  updatedBy: flow.updatedBy,
});
