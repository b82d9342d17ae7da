/**
 * Counts AWS calls per command through each client's middleware stack. Tests assert call budgets
 * with it and the benchmark reports the same numbers. The `initialize` step runs once per command,
 * not per SDK retry, so it counts calls the service makes, not network attempts.
 *
 * It also records the IAM actions each call needs (a transaction needs the item-level action of
 * each of its items), so tests can check every function's role grants what its code does.
 */
export interface AwsCallCounter {
  readonly calls: string[];
  readonly iamActions: Set<string>;
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

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

export const iamActionsOf = (
  service: string,
  command: string,
  input: Record<string, unknown> = {},
): string[] => {
  if (service === 'dynamodb' && (command === 'TransactWriteItems' || command === 'TransactGetItems')) {
    const items = (input.TransactItems ?? []) as Record<string, unknown>[];
    return items.flatMap((item) =>
      Object.keys(item).map((kind) => `dynamodb:${TRANSACT_ITEM_ACTIONS[kind] ?? kind}`),
    );
  }
  if (
    service === 'secretsmanager' &&
    command === 'CreateSecret' &&
    Array.isArray(input.Tags) &&
    input.Tags.length > 0
  ) {
    return ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'];
  }
  return [`${service}:${command}`];
};

export const createAwsCallCounter = (): AwsCallCounter & {
  readonly spans: { start: number; end: number }[];
} => {
  const calls: string[] = [];
  const iamActions = new Set<string>();
  const spans: { start: number; end: number }[] = [];
  return {
    calls,
    iamActions,
    spans,
    reset: () => {
      calls.length = 0;
      iamActions.clear();
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

export const countCallsOf = (
  client: MiddlewareStackOwner,
  counter: AwsCallCounter & { readonly spans?: { start: number; end: number }[] },
): void => {
  const middleware: CountingMiddleware = (next, context) => async (args) => {
    const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
    const service = /secrets/i.test(context.clientName ?? '') ? 'secretsmanager' : 'dynamodb';
    counter.calls.push(command);
    for (const action of iamActionsOf(service, command, args.input)) counter.iamActions.add(action);
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
