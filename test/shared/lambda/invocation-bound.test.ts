import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { silentLogger } from '../../../shared/adapters/logging/json-logger.ts';
import { invocationSignal, TIMEOUT_EARLY_MS } from '../../../shared/lambda/invocation-signal.ts';
import { createLambdaHandler } from '../../../shared/lambda/lambda-handler.ts';
import { defineOperation } from '../../../shared/lambda/operation.ts';

const contextWith = (remainingMs: number) =>
  ({ awsRequestId: 'r', getRemainingTimeInMillis: () => remainingMs }) as unknown as Context;

const operation = (execute: () => Promise<unknown>) =>
  defineOperation<z.ZodMiniObject, unknown, object>({
    name: 'probe',
    scope: 'credentials:read',
    input: z.object({}),
    fromHttp: () => ({}),
    execute,
    toHttp: (output) => ({ statusCode: 200, body: JSON.stringify(output) }),
  });

const direct = { tenantId: 'acme', input: {} };

describe('every invocation bounds what it awaits', () => {
  it("puts the invocation's signal in scope of the use case (the AWS clients read it there)", async () => {
    const handler = createLambdaHandler(
      operation(async () => ({
        signal: invocationSignal() !== undefined,
        aborted: invocationSignal()?.aborted,
      })),
      { logger: silentLogger },
    );
    expect(await handler(direct, contextWith(60_000))).toEqual({ signal: true, aborted: false });
  });

  it('ends a use case still waiting just before Lambda would, as upstream_unavailable, and aborts its calls', async () => {
    let abortedInside = false;
    const handler = createLambdaHandler(
      operation(
        () =>
          new Promise((_resolve, reject) => {
            const signal = invocationSignal();
            signal?.addEventListener('abort', () => {
              abortedInside = true;
              reject(new Error('aborted'));
            });
          }),
      ),
      { logger: silentLogger },
    );
    const error = await Promise.resolve(handler(direct, contextWith(TIMEOUT_EARLY_MS + 50))).catch(
      (caught: unknown) => caught as Error,
    );
    expect((error as Error).name).toBe('upstream_unavailable');
    expect(abortedInside).toBe(true);
  });
});
