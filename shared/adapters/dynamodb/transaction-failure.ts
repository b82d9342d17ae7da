import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';

/** The positional reasons of a cancelled transaction, or null when the error is something else. */
export const cancellationReasons = (error: unknown): readonly CancellationReason[] | null =>
  error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : null;

export const isConditionFailure = (reason: CancellationReason | undefined): boolean =>
  reason?.Code === 'ConditionalCheckFailed';

const isConflict = (error: unknown): boolean =>
  (cancellationReasons(error) ?? []).some((reason) => reason.Code === 'TransactionConflict');

/**
 * A transaction that collides with another one on the same items (TransactionConflict) did nothing
 * and can be tried again; the SDK does not retry it. Conditions are re-evaluated on every attempt.
 */
export const withConflictRetry = async <T>(attempt: () => Promise<T>, attempts = 6): Promise<T> => {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= attempts || !isConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** tried));
    }
  }
};
