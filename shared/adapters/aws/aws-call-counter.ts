import { type AwsService, type IamRequest, iamRequestsOf } from './iam-requests.ts';

/**
 * Counts AWS calls per command through each client's middleware stack. Tests assert call budgets
 * with it and the benchmark reports the same numbers. The `initialize` step runs once per command,
 * not per SDK retry, so it counts calls the service makes, not network attempts.
 *
 * It also records what IAM sees of each call (action, resource, leading keys, request tags; a
 * transaction is one request per item), so tests can evaluate every call against the role of the
 * function that made it.
 */
export interface AwsCallCounter {
  readonly calls: string[];
  readonly iamRequests: IamRequest[];
  reset(): void;
  count(commandName?: string): number;
  /**
   * Round trips since the last reset: calls that overlap in time are one round (they were sent in
   * parallel); a call that starts after all earlier ones ended begins a new round.
   */
  rounds(): number;
}

type CountingMiddleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string; clientName?: string },
) => (args: { input?: Record<string, unknown> }) => Promise<unknown>;

/** Any SDK v3 client: only its middleware stack is touched. */
interface MiddlewareStackOwner {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
}

export const createAwsCallCounter = (): AwsCallCounter & {
  readonly spans: { start: number; end: number }[];
} => {
  const calls: string[] = [];
  const iamRequests: IamRequest[] = [];
  const spans: { start: number; end: number }[] = [];
  return {
    calls,
    iamRequests,
    spans,
    reset: () => {
      calls.length = 0;
      iamRequests.length = 0;
      spans.length = 0;
    },
    rounds: () => {
      let rounds = 0;
      let lastEnd = Number.NEGATIVE_INFINITY;
      for (const span of [...spans].sort((a, b) => a.start - b.start)) {
        if (span.start >= lastEnd) rounds++;
        lastEnd = Math.max(lastEnd, span.end);
      }
      return rounds;
    },
    count: (commandName) =>
      commandName ? calls.filter((call) => call === commandName).length : calls.length,
  };
};

const serviceOf = (clientName = ''): AwsService => {
  if (/secrets/i.test(clientName)) return 'secretsmanager';
  if (/eventbridge/i.test(clientName)) return 'events';
  return 'dynamodb';
};

export const countCallsOf = (
  client: MiddlewareStackOwner,
  counter: AwsCallCounter & { readonly spans?: { start: number; end: number }[] },
): void => {
  const middleware: CountingMiddleware = (next, context) => async (args) => {
    const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
    counter.calls.push(command);
    counter.iamRequests.push(...iamRequestsOf(serviceOf(context.clientName), command, args.input));
    const span = { start: performance.now(), end: Number.POSITIVE_INFINITY };
    counter.spans?.push(span);
    try {
      return await next(args);
    } finally {
      span.end = performance.now();
    }
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'awsCallCounter' });
};
