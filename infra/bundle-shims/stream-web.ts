/**
 * Stands in for `node:stream/web` in the function bundles. middy imports `ReadableStream` from it
 * only to test, in its response-streaming mode (which no function uses), whether a handler returned
 * a web stream; loading Node's web streams for that costs about 1 ms of every cold start. This
 * answers the same `instanceof` question and touches Node's own class only when it is asked.
 */
export const ReadableStream = {
  [Symbol.hasInstance]: (value: unknown): boolean => value instanceof globalThis.ReadableStream,
};
