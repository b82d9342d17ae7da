import type { Context } from 'aws-lambda';
import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import { assertInScope } from '../../shared/lambda/lambda-handler.ts';
import { type ResolveDependencies, resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { ResolveEvent } from './resolve-event.ts';

/** Lambda ends the invocation at its timeout: a refresh must be stored well before that. */
const DEADLINE_MARGIN_MS = 1000;

const deadlineOf = (context: Context | undefined): { deadline?: number } =>
  typeof context?.getRemainingTimeInMillis === 'function'
    ? { deadline: Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS }
    : {};

export const createResolveHandler = (deps: ResolveDependencies) =>
  createDirectHandler(
    'resolveCredential',
    ResolveEvent,
    ({ tenantId, actor, flowId, stepId, executionId, credentialId }, context) =>
      resolveCredential(
        deps,
        assertInScope({ tenantId, subject: actor ?? `execution:${executionId}` }, deps.tenantScope),
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
