import type { FieldValues } from '../../domain/credential-fields.ts';
import type { VerificationFailureReason, VerificationResult } from '../../ports/credential-verifier.ts';
import { RequestTimeoutError } from './guarded-http.ts';
import { BlockedDestinationError, UnresolvableHostError } from './network-guard.ts';
import { sanitizedExcerpt } from './upstream-excerpt.ts';

export { sanitizedExcerpt };

export const failed = (
  reason: VerificationFailureReason,
  detail: string,
  extra: { upstreamStatus?: number; upstreamExcerpt?: string } = {},
): VerificationResult => ({ outcome: 'failed', reason, detail, ...extra });

/** Classifies an HTTP status from the component's API. */
export const fromHttpStatus = (
  status: number,
  wwwAuthenticate: string | undefined,
  excerpt: string | undefined,
): VerificationResult => {
  const extra = { upstreamStatus: status, ...(excerpt === undefined ? {} : { upstreamExcerpt: excerpt }) };
  if (status === 401) return failed('invalid_credentials', 'the API rejected the credentials (401).', extra);
  if (status === 403) {
    return /insufficient_scope/i.test(wwwAuthenticate ?? '')
      ? failed('insufficient_scope', 'the credentials lack a required scope (403).', extra)
      : failed('invalid_credentials', 'the API refused the credentials (403).', extra);
  }
  if (status === 429)
    return failed('rate_limited', 'the API is rate limiting requests (429); try again later.', extra);
  return failed('upstream_error', `the API answered ${status}.`, extra);
};

/** Classifies a failure to get any answer at all. */
export const fromNetworkError = (error: unknown): VerificationResult => {
  if (error instanceof BlockedDestinationError) {
    return failed(
      'blocked_destination',
      `${error.host} resolves to a private or reserved address, which is not allowed.`,
    );
  }
  if (error instanceof UnresolvableHostError)
    return failed('unreachable', `${error.host} could not be resolved.`);
  if (error instanceof RequestTimeoutError) return failed('timeout', 'the API did not answer in time.');
  const code = (error as { code?: string }).code ?? '';
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_CONNECT_TIMEOUT')
    return failed('timeout', 'the API did not answer in time.');
  return failed('unreachable', `the API could not be reached${code ? ` (${code})` : ''}.`);
};

/** Classifies a non-success answer of the component's API, with a masked excerpt of its body. */
export const fromHttpResponse = (
  response: { status: number; headers: Record<string, string | string[] | undefined>; body: string },
  secrets: FieldValues,
  plain: FieldValues = {},
): VerificationResult => {
  const authenticate = response.headers['www-authenticate'];
  return fromHttpStatus(
    response.status,
    Array.isArray(authenticate) ? authenticate.join(', ') : authenticate,
    sanitizedExcerpt(response.body, secrets, plain),
  );
};

/**
 * A token endpoint's refusal or failure as a verification result: the same reading for a refresh
 * and a client-credentials request.
 */
export const fromTokenOutcome = (
  outcome:
    | { kind: 'rejected'; error: string; status: number; excerpt: string }
    | { kind: 'failed'; status: number; excerpt: string },
  secrets: FieldValues,
  values: FieldValues,
): VerificationResult => {
  const excerpt = sanitizedExcerpt(outcome.excerpt, secrets, values);
  const extra = {
    upstreamStatus: outcome.status,
    ...(excerpt === undefined ? {} : { upstreamExcerpt: excerpt }),
  };
  if (outcome.kind === 'rejected') {
    if (outcome.error === 'invalid_scope')
      return failed('insufficient_scope', 'the token endpoint refused the scope.', extra);
    if (['invalid_grant', 'invalid_client', 'unauthorized_client'].includes(outcome.error))
      return failed('invalid_credentials', `the token endpoint answered ${outcome.error}.`, extra);
  }
  return outcome.status === 429
    ? failed('rate_limited', 'the token endpoint is rate limiting requests.', extra)
    : failed('upstream_error', `the token endpoint answered ${outcome.status}.`, extra);
};
