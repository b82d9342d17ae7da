import { AppError, type ErrorCode } from './app-error.ts';
import { isTransientFailure } from './transient-failure.ts';

/** RFC 9457 problem details, as sent to HTTPS callers and thrown to direct (workflow) callers. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly detail: string;
  /** Field-level issues; always present, empty when the problem is not about particular fields. */
  readonly errors: readonly { path: string; message: string }[];
  readonly [extension: string]: unknown;
}

const STATUS_AND_TITLE: Record<ErrorCode, readonly [number, string]> = {
  malformed_request: [400, 'Malformed request'],
  validation_failed: [400, 'Validation failed'],
  unauthorized: [401, 'Unauthorized'],
  insufficient_scope: [403, 'Insufficient scope'],
  secrets_required: [422, 'Secrets required'],
  corrupt_item: [409, 'Corrupt stored item'],
  not_found: [404, 'Not found'],
  route_not_found: [404, 'No such route'],
  method_not_allowed: [405, 'Method not allowed'],
  header_fields_too_large: [431, 'Request header fields too large'],
  conflict: [409, 'Conflict'],
  credential_in_use: [409, 'Credential in use'],
  credential_missing: [409, 'Credential missing'],
  oauth_app_in_use: [409, 'OAuth app in use'],
  oauth_app_missing: [422, 'OAuth app missing'],
  connect_failed: [422, 'Connect failed'],
  version_mismatch: [412, 'Version mismatch'],
  payload_too_large: [413, 'Payload too large'],
  unsupported_media_type: [415, 'Unsupported media type'],
  idempotency_key_reused: [422, 'Idempotency key reused'],
  verification_failed: [422, 'Verification failed'],
  invalid_flow_reference: [422, 'Invalid flow reference'],
  too_many_references: [422, 'Too many references'],
  flow_not_found: [404, 'Flow not found'],
  flow_not_active: [403, 'Flow not active'],
  step_not_found: [404, 'Flow step not found'],
  credential_not_used_by_step: [403, 'Credential not used by step'],
  credential_invalid: [422, 'Credential invalid'],
  proxy_unsupported: [422, 'Proxy not supported'],
  api_unreachable: [502, 'Component API unreachable'],
  api_response_too_large: [502, 'Component API response too large'],
  api_response_unreadable: [502, 'Component API response unreadable'],
  precondition_required: [428, 'Precondition required'],
  upstream_unavailable: [503, 'Service unavailable'],
  internal: [500, 'Internal error'],
};

/**
 * Where each problem is explained for people: the API serves `GET /problems/{code}`. Without a
 * request to resolve against (a direct invocation) the `type` stays this relative reference
 * (RFC 9457 §3.1.1); HTTP answers make it absolute with the API's own origin.
 */
export const PROBLEM_TYPE_PATH = '/problems/';

export const problemStatusAndTitle = (code: ErrorCode): readonly [number, string] => STATUS_AND_TITLE[code];

/**
 * The single place where errors become problem documents. Only codes below 500 show their message:
 * an unexpected error may carry SDK text or input echoes, so it is replaced by a generic detail.
 */
export const toProblem = (error: unknown, origin = ''): Problem => {
  const appError =
    error instanceof AppError
      ? error
      : isTransientFailure(error)
        ? new AppError('upstream_unavailable', 'A storage service is busy or unreachable. Retry in a moment.')
        : new AppError('internal', 'internal');
  const [status, title] = STATUS_AND_TITLE[appError.code];
  // A corrupt item is a server fault the caller should still be able to report: its key (ids only,
  // never values) is the whole of what it says.
  const safe =
    status < 500 ||
    appError.code === 'corrupt_item' ||
    appError.code === 'upstream_unavailable' ||
    appError.code === 'api_unreachable' ||
    appError.code === 'api_response_too_large' ||
    appError.code === 'api_response_unreadable';
  // A workflow's Retry needs to know when: every transient answer says it (HTTP adds Retry-After).
  const retryHint =
    appError.code === 'upstream_unavailable' && appError.extensions.retryAfterSeconds === undefined
      ? { retryAfterSeconds: 1 }
      : {};
  return {
    ...(safe ? appError.extensions : {}),
    ...retryHint,
    type: `${origin}${PROBLEM_TYPE_PATH}${appError.code}`,
    title,
    status,
    code: appError.code,
    detail: safe ? appError.message : 'The service could not complete the request. Try again later.',
    errors: safe ? appError.issues : [],
  };
};
