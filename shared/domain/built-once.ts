/**
 * A value built the first time it is asked for, then kept. For zod schemas a function parses only
 * on some paths: each one built at module load is paid at every cold start, whether or not the
 * invocation parses with it.
 */
export const builtOnce = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => {
    built ??= build();
    return built;
  };
};
