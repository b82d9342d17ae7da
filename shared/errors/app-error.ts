/**
 * The one error type the service raises on purpose. Every `code` maps to exactly one HTTP status in
 * `problem.ts`; anything that is not an AppError is treated as an internal error and never shown.
 */
export type ErrorCode =
  | 'malformed_request'
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'unauthorized'
  | 'insufficient_scope'
  | 'secrets_required'
  | 'corrupt_item'
  | 'not_found'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'header_fields_too_large'
  | 'version_mismatch'
  | 'precondition_required'
  | 'credential_in_use'
  | 'credential_missing'
  | 'oauth_app_in_use'
  | 'oauth_app_missing'
  | 'connect_failed'
  | 'idempotency_key_reused'
  | 'verification_failed'
  | 'invalid_flow_reference'
  | 'flow_not_found'
  | 'flow_not_active'
  | 'step_not_found'
  | 'credential_not_used_by_step'
  | 'credential_invalid'
  | 'proxy_unsupported'
  | 'api_unreachable'
  | 'api_response_too_large'
  | 'api_response_unreadable'
  | 'too_many_references'
  | 'conflict'
  | 'upstream_unavailable'
  | 'internal';

export interface FieldIssue {
  readonly path: string;
  readonly message: string;
}

export interface AppErrorOptions {
  readonly issues?: readonly FieldIssue[];
  /** Extra machine-readable members of the problem body. Never put secret values here. */
  readonly extensions?: Record<string, unknown>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.extensions = options.extensions ?? {};
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} was not found.`);

export const validationFailed = (issues: readonly FieldIssue[]): AppError =>
  new AppError(
    'validation_failed',
    issues.length === 1 && issues[0]
      ? `${issues[0].path}: ${issues[0].message}`
      : 'The request is not valid.',
    { issues },
  );
