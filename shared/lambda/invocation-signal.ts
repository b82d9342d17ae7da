import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The abort signal of the invocation in progress (middy's, fired just before Lambda's timeout).
 * AWS calls read it, so a call still waiting when the invocation ends is abandoned with it instead
 * of resuming, and perhaps writing, inside the container's next invocation.
 */
/**
 * How long before Lambda's timeout middy gives up on the handler: its unfinished AWS calls are
 * aborted and the caller gets a 503 with time left to send it and flush the logs, instead of
 * Lambda's bare timeout.
 */
export const TIMEOUT_EARLY_MS = 500;

const invocation = new AsyncLocalStorage<AbortSignal>();

export const withInvocationSignal = <T>(
  signal: AbortSignal | undefined,
  run: () => Promise<T>,
): Promise<T> => (signal ? invocation.run(signal, run) : run());

export const invocationSignal = (): AbortSignal | undefined => invocation.getStore();
