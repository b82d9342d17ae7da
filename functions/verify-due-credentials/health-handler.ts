import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../../shared/domain/actor.ts';
import { validationFailed } from '../../shared/errors/app-error.ts';
import { assertTenantServed } from '../../shared/lambda/caller.ts';
import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';
import {
  HEALTH_RUN_MS,
  HEALTH_RUN_STOP_MARGIN_MS,
  verifyDueCredentials,
} from '../../shared/use-cases/verify-due-credentials.ts';

/** The scheduler sends `{}`; a person may name the tenant locally, where one process serves many. */
export const HealthRunEvent = z.strictObject({
  tenantId: z.optional(z.string().check(z.regex(TENANT_ID_PATTERN, 'must be 1-64 letters, digits, _ or -'))),
});

export const createHealthHandler = (deps: UseCaseDependencies) =>
  createDirectHandler(
    'verifyDueCredentials',
    HealthRunEvent,
    (event, context: Context | undefined) => {
      const tenantId = event.tenantId ?? deps.tenantScope;
      if (!tenantId)
        throw validationFailed([{ path: 'tenantId', message: 'is required where TENANT_ID is not set' }]);
      assertTenantServed({ tenantId, subject: 'scheduler' }, deps.tenantScope);
      const remaining =
        typeof context?.getRemainingTimeInMillis === 'function'
          ? context.getRemainingTimeInMillis() - HEALTH_RUN_STOP_MARGIN_MS
          : HEALTH_RUN_MS;
      return verifyDueCredentials(deps, tenantId, { deadline: Date.now() + Math.max(0, remaining) });
    },
    deps.logger,
    deps.metrics,
  );
