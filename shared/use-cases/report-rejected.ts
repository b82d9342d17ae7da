import type { Actor } from '../domain/actor.ts';
import { auditEntry } from '../domain/audit.ts';
import { authorizeStep, type StepCredentialDependencies, type StepInput } from './step-credential.ts';

/** A credential is re-checked for workflows' reports at most this often. */
export const REPORT_WINDOW_MS = 10 * 60_000;

export interface ReportRejectedInput extends StepInput {
  /** What the API answered (401, 403…), for the audit record. */
  readonly upstreamStatus?: number;
}

export interface ReportRejectedResult {
  readonly credentialId: string;
  /** `scheduled`: the next scheduled run re-verifies it; `already_scheduled`: a report within the window did. */
  readonly check: 'scheduled' | 'already_scheduled';
}

/**
 * A workflow step says the API refused its credential. That is never taken on its word: the
 * credential is made due for the scheduled re-verification (at most once per window), which
 * decides with the same dry request as ever. Authorized like resolve; no secret is read.
 */
export const reportRejected = async (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: ReportRejectedInput,
): Promise<ReportRejectedResult> => {
  const credential = await authorizeStep(deps, actor, input, 'reported');
  const now = deps.clock.now();
  const scheduled = await deps.credentials.requestCheck(
    actor.tenantId,
    credential.id,
    credential.version,
    now,
    REPORT_WINDOW_MS,
  );
  await deps.credentials.appendAudit(
    auditEntry(actor, credential, 'reported', now, {
      flowId: input.flowId,
      stepId: input.stepId,
      executionId: input.executionId,
      detail: `rejected${input.upstreamStatus ? `:${input.upstreamStatus}` : ''}${scheduled ? '' : ':already_scheduled'}`,
    }),
  );
  return { credentialId: credential.id, check: scheduled ? 'scheduled' : 'already_scheduled' };
};
