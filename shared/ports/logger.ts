/** Structured log lines. Callers pass ids, codes and counts only: never bodies or field values. */
export interface Logger {
  info(message: string, attributes?: Record<string, unknown>): void;
  warn(message: string, attributes?: Record<string, unknown>): void;
  error(message: string, attributes?: Record<string, unknown>): void;
}

export const jsonLogger = (
  service: string,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger => {
  const log =
    (level: string) =>
    (message: string, attributes: Record<string, unknown> = {}) =>
      write(JSON.stringify({ level, time: new Date().toISOString(), service, message, ...attributes }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Error details safe to log: the class and code, not the message (SDK messages may echo input). */
export const describeError = (error: unknown): Record<string, unknown> =>
  error instanceof Error
    ? { errorName: error.name, errorCode: (error as { code?: unknown }).code ?? null }
    : { errorName: typeof error };
