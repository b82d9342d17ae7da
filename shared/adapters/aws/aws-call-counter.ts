/**
 * Counts AWS calls per command through each client's middleware stack. Tests assert call budgets
 * with it and the benchmark reports the same numbers. The `initialize` step runs once per command,
 * not per SDK retry, so it counts calls the service makes, not network attempts.
 */
export interface AwsCallCounter {
  readonly calls: string[];
  reset(): void;
  count(commandName?: string): number;
}

type CountingMiddleware = (
  next: (args: unknown) => Promise<unknown>,
  context: { commandName?: string },
) => (args: unknown) => Promise<unknown>;

/** Any SDK v3 client: only its middleware stack is touched. */
interface MiddlewareStackOwner {
  middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void };
}

export const createAwsCallCounter = (): AwsCallCounter => {
  const calls: string[] = [];
  return {
    calls,
    reset: () => {
      calls.length = 0;
    },
    count: (commandName) =>
      commandName ? calls.filter((call) => call === commandName).length : calls.length,
  };
};

export const countCallsOf = (client: MiddlewareStackOwner, counter: AwsCallCounter): void => {
  const middleware: CountingMiddleware = (next, context) => async (args) => {
    counter.calls.push((context.commandName ?? 'unknown').replace(/Command$/, ''));
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'awsCallCounter' });
};
