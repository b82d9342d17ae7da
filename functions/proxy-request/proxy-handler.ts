import type { Context } from 'aws-lambda';
import { assertTenantServed, directActor } from '../../shared/lambda/caller.ts';
import { createDirectHandler } from '../../shared/lambda/direct-handler.ts';
import { isHttpEvent } from '../../shared/lambda/http-request.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { type ProxyDependencies, proxyRequest } from '../../shared/use-cases/proxy-request.ts';
import { proxyRequestOperation } from './operation.ts';
import { ProxyEvent } from './proxy-event.ts';

/**
 * Workflows invoke the function directly with resolve's event plus `request`; token holders call
 * `POST /proxy`. Both run the same use case under the same flow-step authorization.
 */
export const createProxyHandler = (deps: ProxyDependencies) => {
  const direct = createDirectHandler(
    'proxyRequest',
    ProxyEvent,
    ({ tenantId, actor, ...input }) =>
      proxyRequest(
        deps,
        assertTenantServed(directActor(tenantId, actor, input.executionId), deps.tenantScope),
        input,
      ),
    deps.logger,
    deps.metrics,
  );
  const http = createLambdaHandler(proxyRequestOperation, deps);
  return (event: unknown, context: Context) =>
    isHttpEvent(event) ? http(event, context) : direct(event, context);
};
