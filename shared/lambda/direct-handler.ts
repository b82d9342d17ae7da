import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { describeError } from '../errors/describe-error.ts';
import { toProblem } from '../errors/problem.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import { OperationFailed } from './direct-event.ts';
import { countOutcome } from './outcome-metrics.ts';
import { parseInput } from './schema.ts';

/**
 * For functions only workflows call (no HTTP route): validate the event, run, and on failure throw
 * an error named by the problem code, exactly like the direct path of the HTTP operations.
 */
export const createDirectHandler = <S extends z.core.$ZodType, Output>(
  name: string,
  schema: S,
  run: (event: z.output<S>, context: Context) => Promise<Output>,
  logger: Logger,
  metrics?: Metrics,
) =>
  middy<unknown, Output, Error, Context>(async (event: unknown, context: Context) =>
    run(parseInput(schema, event), context),
  ).use({
    onError: (request) => {
      const problem = toProblem(request.error);
      countOutcome(metrics, problem.status, problem.code, true);
      (problem.status >= 500 ? logger.error : logger.info)('invocation failed', {
        operation: name,
        code: problem.code,
        requestId: request.context?.awsRequestId,
        ...(problem.status >= 500 ? describeError(request.error) : {}),
      });
      request.error = new OperationFailed(problem.code, JSON.stringify(problem));
    },
  });
