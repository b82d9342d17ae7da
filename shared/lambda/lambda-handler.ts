import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type Actor, TENANT_ID_PATTERN } from '../domain/actor.ts';
import { AppError } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import { toProblem } from '../errors/problem.ts';
import type { HandlerDependencies } from '../use-cases/use-case-dependencies.ts';
import { assertTenantServed, directActor } from './caller.ts';
import { DirectEvent, OperationFailed } from './direct-event.ts';
import { type HttpRequest, isHttpEvent, toHttpRequest } from './http-request.ts';
import { type HttpResult, problemResponse } from './http-response.ts';
import { TIMEOUT_EARLY_MS, withInvocationSignal } from './invocation-signal.ts';
import type { Operation } from './operation.ts';
import { countOutcome } from './outcome-metrics.ts';
import { parseInput } from './schema.ts';
import { assertScope } from './scopes.ts';

/** The JWT claim that carries the tenant (set by the tenant's identity provider). */
export const TENANT_CLAIM = 'tenant_id';

/**
 * API Gateway hands every claim over as a string, so `null`, `true`, `12345` or `["globex"]` in a
 * token arrive as `"null"`, `"true"`, `"12345"` or `"[globex]"`. Only what a JSON string claim
 * could have been names a tenant: anything that reads back as another JSON value is refused.
 */
const stringifiedNonString = (value: string): boolean => {
  if (['undefined', 'nan', 'infinity', '-infinity'].includes(value.toLowerCase())) return true;
  try {
    return typeof JSON.parse(value) !== 'string';
  } catch {
    return false;
  }
};

const actorFromClaims = (claims: HttpRequest['claims']): Actor => {
  const tenantId = claims[TENANT_CLAIM];
  const subject = claims.sub;
  if (
    typeof tenantId !== 'string' ||
    !TENANT_ID_PATTERN.test(tenantId) ||
    stringifiedNonString(tenantId) ||
    typeof subject !== 'string'
  ) {
    throw new AppError('unauthorized', 'The token does not name a tenant.');
  }
  return { tenantId, subject };
};

type LambdaEvent = APIGatewayProxyEventV2WithJWTAuthorizer | DirectEvent;

/** The API's own origin, from API Gateway's request context, to make problem `type` URIs absolute. */
const originOf = (event: APIGatewayProxyEventV2WithJWTAuthorizer): string => {
  const scheme = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  const host = event.requestContext.domainName;
  return /^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host ?? '') ? `${scheme}://${host}` : '';
};

/** middy around a handler, with the invocation's signal in scope of everything the handler awaits. */
export const invocationBound = <Event, Result>(run: (event: Event) => Promise<Result>) =>
  middy<Event, Result, Error, Context>(
    (event: Event, _context: Context, options?: { signal?: AbortSignal }) =>
      withInvocationSignal(options?.signal, () => run(event)),
    { timeoutEarlyInMillis: TIMEOUT_EARLY_MS },
  );

/**
 * The one middleware stack every function shares: dispatch by caller kind, one access log line
 * (ids and status only, never bodies), and the one error mapping to problem+json.
 */
export const createLambdaHandler = <Deps>(
  op: Operation<z.core.$ZodType, unknown, Deps>,
  // NoInfer: the operation alone says which ports it needs; the entry must supply all of them.
  deps: NoInfer<Deps> & HandlerDependencies,
) => {
  const run = async (event: LambdaEvent): Promise<unknown> => {
    if (isHttpEvent(event)) {
      const request = toHttpRequest(event);
      const actor = assertTenantServed(actorFromClaims(request.claims), deps.tenantScope);
      // API Gateway checks the route's scope first; this keeps the rule where the code is.
      assertScope(request.claims, op.scope, deps.scopePrefix);
      const input = parseInput(op.input, op.fromHttp(request));
      return op.toHttp(await op.execute(deps, actor, input));
    }
    const direct = parseInput(DirectEvent(), event);
    const actor = assertTenantServed(directActor(direct.tenantId, direct.actor), deps.tenantScope);
    const output = await op.execute(deps, actor, parseInput(op.input, direct.input ?? {}));
    return op.toDirect ? op.toDirect(output) : output;
  };

  return invocationBound<LambdaEvent, unknown>(run).use({
    after: (request) => {
      const status = (request.response as HttpResult | undefined)?.statusCode;
      deps.logger.info('request', {
        operation: op.name,
        status: status ?? 'ok',
        requestId: request.context?.awsRequestId,
      });
    },
    onError: (request) => {
      const problem = toProblem(
        request.error,
        isHttpEvent(request.event) ? originOf(request.event) : undefined,
      );
      countOutcome(deps.metrics, problem.status, problem.code, !isHttpEvent(request.event));
      const log = problem.status >= 500 ? deps.logger.error : deps.logger.info;
      log('request failed', {
        operation: op.name,
        status: problem.status,
        code: problem.code,
        requestId: request.context?.awsRequestId,
        ...(problem.status >= 500 ? describeError(request.error) : {}),
        ...(problem.code === 'corrupt_item' ? { key: problem.key } : {}),
      });
      if (isHttpEvent(request.event)) {
        request.response = problemResponse(problem);
        request.error = null as unknown as Error;
      } else {
        request.error = new OperationFailed(problem.code, JSON.stringify(problem));
      }
    },
  });
};
