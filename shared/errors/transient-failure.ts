/**
 * Failures a retry can cure: AWS throttling and server faults, and the network in between. They
 * answer `503 upstream_unavailable` with Retry-After, never `500 internal`, so a client can tell
 * "try again" from a bug. Decided by the SDK's own classification and error names, never messages.
 */
const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalServiceError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  // A call cut off when its invocation ended (the outcome of a write is then unknown).
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/** Reasons in a cancelled transaction that mean "not now" rather than "no". */
const TRANSIENT_CANCELLATIONS = new Set([
  'ThrottlingError',
  'TransactionConflict',
  'ProvisionedThroughputExceeded',
]);

export const isTransientFailure = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    CancellationReasons?: { Code?: string }[];
  };
  if (candidate.name === 'TransactionCanceledException') {
    const codes = (candidate.CancellationReasons ?? []).map((reason) => reason.Code ?? 'None');
    return (
      codes.some((code) => TRANSIENT_CANCELLATIONS.has(code)) &&
      codes.every((code) => code === 'None' || TRANSIENT_CANCELLATIONS.has(code))
    );
  }
  if (candidate.$fault === 'server' || candidate.$retryable !== undefined) return true;
  if ((candidate.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (candidate.name && TRANSIENT_NAMES.has(candidate.name)) return true;
  return candidate.code !== undefined && NETWORK_CODES.has(candidate.code);
};

/**
 * A failure whose outcome is known: the request was refused and changed nothing (a condition, a
 * validation error). Anything else may have been applied.
 */
export const isDefiniteFailure = (error: unknown): boolean => {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as { name?: string; $fault?: string };
  if (candidate.name === 'TransactionCanceledException') return true;
  return candidate.$fault === 'client' && !isTransientFailure(error);
};
