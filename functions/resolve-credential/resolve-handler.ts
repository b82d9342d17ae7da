import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import { type ResolveDependencies, resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { ResolveEvent } from './resolve-event.ts';

export const createResolveHandler = (deps: ResolveDependencies) =>
  createDirectHandler(
    'resolveCredential',
    ResolveEvent,
    ({ tenantId, actor, flowId, stepId, executionId, credentialId }) =>
      resolveCredential(
        deps,
        { tenantId, subject: actor ?? `execution:${executionId}` },
        { flowId, stepId, executionId, ...(credentialId === undefined ? {} : { credentialId }) },
      ),
    deps.logger,
  );
