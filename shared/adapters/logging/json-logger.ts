import type { Logger } from '../../ports/logger.ts';

/** One JSON line per entry on standard output: what CloudWatch Logs keeps from a Lambda. */
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
