import type { Context } from 'aws-lambda';
import { assertTenantServed, directActor } from '../../shared/lambda/caller.ts';
import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import { reportRejected } from '../../shared/use-cases/report-rejected.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import type { StepCredentialDependencies } from '../../shared/use-cases/step-credential.ts';
import { ReportRejectedEvent, ResolveEvent } from './resolve-event.ts';

/** Lambda ends the invocation at its timeout: a refresh must be stored well before that. */
const DEADLINE_MARGIN_MS = 1000;

const deadlineOf = (context: Context | undefined): { deadline?: number } =>
  typeof context?.getRemainingTimeInMillis === 'function'
    ? { deadline: Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS }
    : {};

/** `reportRejected: true` makes the event a report; anything else is a resolve (and parsed as one). */
const isReport = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'reportRejected' in event;

export const createResolveHandler = (deps: StepCredentialDependencies) => {
  const report = createDirectHandler(
    'reportRejected',
    ReportRejectedEvent,
    ({ tenantId, actor, reportRejected: _report, ...input }) =>
      reportRejected(
        deps,
        assertTenantServed(directActor(tenantId, actor, input.executionId), deps.tenantScope),
        input,
      ),
    deps.logger,
    deps.metrics,
  );
  const resolve = createDirectHandler(
    'resolveCredential',
    ResolveEvent,
    ({ tenantId, actor, flowId, stepId, executionId, credentialId }, context) =>
      resolveCredential(
        deps,
        assertTenantServed(directActor(tenantId, actor, executionId), deps.tenantScope),
        {
          flowId,
          stepId,
          executionId,
          ...(credentialId === undefined ? {} : { credentialId }),
          ...deadlineOf(context),
        },
      ),
    deps.logger,
    deps.metrics,
  );
  return (event: unknown, context: Context) =>
    isReport(event) ? report(event, context) : resolve(event, context);
};
