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

export const createAwsCallCounter = (): AwsCallCounter => {
  const calls: string[] = [];
  const iamActions = new Set<string>();
  return {
    calls,
    iamActions,
    reset: () => {
      calls.length = 0;
      iamActions.clear();
    },
    count: (commandName) =>
      commandName ? calls.filter((call) => call === commandName).length : calls.length,
  };
};

export const countCallsOf = (client: MiddlewareStackOwner, counter: AwsCallCounter): void => {
  const middleware: CountingMiddleware = (next, context) => async (args) => {
    const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
    const service = /secrets/i.test(context.clientName ?? '') ? 'secretsmanager' : 'dynamodb';
    counter.calls.push(command);
    for (const action of iamActionsOf(service, command, args.input)) counter.iamActions.add(action);
    return next(args);
  };
  client.middlewareStack.add(middleware as never, { step: 'initialize', name: 'awsCallCounter' });
};
