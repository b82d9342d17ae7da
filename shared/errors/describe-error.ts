/** Error details safe to log: the class and code, not the message (SDK messages may echo input). */
export const describeError = (error: unknown): Record<string, unknown> =>
  error instanceof Error
    ? { errorName: error.name, errorCode: (error as { code?: unknown }).code ?? null }
    : { errorName: typeof error };
