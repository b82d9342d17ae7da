import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import { assertInScope } from '../../shared/lambda/lambda-handler.ts';
import { type ResolveDependencies, resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { ResolveEvent } from './resolve-event.ts';

export const createResolveHandler = (deps: ResolveDependencies) =>
  createDirectHandler(
    'resolveCredential',
    ResolveEvent,
    ({ tenantId, actor, flowId, stepId, executionId, credentialId }) =>
      resolveCredential(
        deps,
        assertInScope({ tenantId, subject: actor ?? `execution:${executionId}` }, deps.tenantScope),
        { flowId, stepId, executionId, ...(credentialId === undefined ? {} : { credentialId }) },
      ),
    deps.logger,
  );
