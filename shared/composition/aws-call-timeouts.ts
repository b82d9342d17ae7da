/**
 * Every AWS client's own limits. Without them the SDK waits up to its socket default for a call
 * that never answers, and a slow call outlives the invocation it was made in. One attempt is at
 * most connect + request; the SDK's standard retries (3 attempts) stay within every function's
 * timeout. DynamoDB and Secrets Manager answer in milliseconds: these only end what is stuck.
 */
export const AWS_CALL_TIMEOUTS = {
  /** A TCP and TLS connection to the regional endpoint. */
  connectionTimeout: 500,
  /** No byte of the answer for this long: the attempt is abandoned (and retried if it may be). */
  requestTimeout: 2500,
  /** The handler only warns on a request timeout unless told to end the attempt with an error. */
  throwOnRequestTimeout: true,
} as const;

export const AWS_CLIENT_MAX_ATTEMPTS = 3;
