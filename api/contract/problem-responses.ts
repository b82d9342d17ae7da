import type { ErrorCode } from '../../shared/errors/app-error.ts';
import { PROBLEM_GUIDES } from '../../shared/errors/problem-guide.ts';

type Json = Record<string, unknown>;

/** Response headers, by the name they get under `components.headers`. */
export const HEADERS = {
  ETag: {
    description: 'The version of the resource as a strong entity tag (e.g. `"3"`): send it back in If-Match.',
    schema: { type: 'string', pattern: '^"[1-9][0-9]*"$' },
  },
  Location: {
    description: 'The path of the created resource.',
    schema: { type: 'string', format: 'uri-reference' },
  },
  IdempotentReplayed: {
    description: '`true` when this answer replays an earlier request with the same Idempotency-Key.',
    schema: { type: 'string', enum: ['true'] },
  },
  WWWAuthenticate: {
    description: 'RFC 6750: `Bearer`, with `error="invalid_token"` or `error="insufficient_scope"`.',
    schema: { type: 'string' },
  },
  RetryAfter: {
    description: 'Seconds to wait before retrying.',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  Allow: {
    description: 'The methods this path answers (RFC 9110 §10.2.1), e.g. `GET, PATCH, DELETE`.',
    schema: { type: 'string' },
  },
} as const;
export type HeaderName = keyof typeof HEADERS;

/** Each header's name on the wire. */
export const HEADER_NAMES: Record<HeaderName, string> = {
  ETag: 'ETag',
  Location: 'Location',
  IdempotentReplayed: 'Idempotent-Replayed',
  WWWAuthenticate: 'WWW-Authenticate',
  RetryAfter: 'Retry-After',
  Allow: 'Allow',
};

const EXTENSIONS: Json = {
  reason: {
    type: 'string',
    description: 'verification_failed: why the dry request failed (invalid_credentials, unreachable…).',
  },
  upstreamStatus: { type: 'integer', description: 'verification_failed: the status the component answered.' },
  upstreamExcerpt: {
    type: 'string',
    description: 'verification_failed: a short, sanitized excerpt of the component’s error answer.',
  },
  currentVersion: {
    type: 'integer',
    minimum: 0,
    description: 'version_mismatch: the current version (0 when the resource does not exist).',
  },
  blockingFlows: {
    type: 'array',
    description: 'credential_in_use: every active flow (and its steps) that uses the credential.',
    items: { $ref: '#/components/schemas/CredentialUsage' },
  },
  affectedFlows: {
    type: 'array',
    description: 'credential_in_use: the inactive flows that would lose the credential (for information).',
    items: { $ref: '#/components/schemas/CredentialUsage' },
  },
  credentialId: { type: 'string' },
  componentId: { type: 'string' },
  flowId: { type: 'string' },
  steps: { type: 'array', items: { type: 'string' } },
  credentialIds: {
    type: 'array',
    items: { type: 'string' },
    description: 'credential_missing: the deleted credentials the steps still name.',
  },
  secretFields: {
    type: 'array',
    items: { type: 'string' },
    description: 'secrets_required: the secret fields to send again.',
  },
  requiredScope: { type: 'string', description: 'insufficient_scope: the scope the route needs.' },
  activeFlowCount: { type: 'integer' },
  flowCount: { type: 'integer' },
  credentialCount: { type: 'integer', description: 'oauth_app_in_use: credentials of the component.' },
  sessionId: { type: 'string' },
  key: {
    type: 'object',
    description: 'corrupt_item: the key of the item (ids only).',
    properties: { PK: { type: 'string' }, SK: { type: 'string' } },
  },
};

export const PROBLEM_SCHEMA: Json = {
  type: 'object',
  description:
    'RFC 9457 problem details. `type` links to a page that explains the problem; `code` is the same name for programs.',
  required: ['type', 'title', 'status', 'code', 'detail', 'errors'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', enum: PROBLEM_GUIDES.map((guide) => guide.code) },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      description: 'Field-level issues; empty when the problem is not about particular fields.',
      items: {
        type: 'object',
        required: ['path', 'message'],
        additionalProperties: false,
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
    ...EXTENSIONS,
  },
};

const GATEWAY_MESSAGES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  429: 'Too Many Requests',
};

/** What API Gateway itself answers (throttling, or a token it refused): not problem+json. */
const GATEWAY_MESSAGE = {
  type: 'object',
  required: ['message'],
  properties: { message: { type: 'string' } },
};

interface ProblemResponse {
  readonly status: number;
  readonly description: string;
  readonly codes: readonly ErrorCode[];
  readonly headers?: readonly HeaderName[];
  /** API Gateway answers this status itself, with its own JSON body, before any function runs. */
  readonly gateway?: boolean;
}

/** Reusable problem responses, by the name they get under `components.responses`. */
export const PROBLEM_RESPONSES = {
  BadRequest: {
    status: 400,
    description: 'The request is malformed or breaks a rule; `errors[]` lists each field.',
    codes: ['malformed_request', 'validation_failed'],
  },
  Unauthorized: {
    status: 401,
    description:
      'No valid bearer token. API Gateway’s JWT authorizer answers this itself, as `{"message":"Unauthorized"}`.',
    codes: ['unauthorized'],
    headers: ['WWWAuthenticate'],
    gateway: true,
  },
  Forbidden: {
    status: 403,
    description:
      'The token lacks the route’s scope. API Gateway answers this itself, as `{"message":"Forbidden"}`.',
    codes: ['insufficient_scope'],
    headers: ['WWWAuthenticate'],
    gateway: true,
  },
  CorruptItem: {
    status: 409,
    description:
      'The stored item was edited outside the API and cannot be served (`corrupt_item`, `key` names it); it can still be deleted.',
    codes: ['corrupt_item'],
  },
  NotFound: { status: 404, description: 'No such resource for your tenant.', codes: ['not_found'] },
  MethodNotAllowed: {
    status: 405,
    description: 'Any method a path does not list is answered so, with `Allow` naming the ones it does.',
    codes: ['method_not_allowed'],
    headers: ['Allow'],
  },
  CredentialInUse: {
    status: 409,
    description: 'Active flows use the credential: `blockingFlows` names them.',
    codes: ['credential_in_use', 'conflict', 'corrupt_item'],
  },
  FlowCredentialMissing: {
    status: 409,
    description: 'The flow cannot be activated: `steps` name a credential that was deleted.',
    codes: ['credential_missing', 'conflict', 'corrupt_item'],
  },
  UnprocessableDelete: {
    status: 422,
    description: 'More inactive flows use the credential than one delete can mark.',
    codes: ['too_many_references'],
  },
  OAuthAppInUse: {
    status: 409,
    description: 'Credentials of the component still use the app: `credentialCount` says how many.',
    codes: ['oauth_app_in_use', 'corrupt_item'],
  },
  UnprocessableConnect: {
    status: 422,
    description: 'The component has no OAuth app registered, or connect is not configured.',
    codes: ['oauth_app_missing', 'connect_failed'],
  },
  Conflict: {
    status: 409,
    description: 'A concurrent change won; read again and retry.',
    codes: ['conflict', 'corrupt_item'],
  },
  PreconditionFailed: {
    status: 412,
    description: 'If-Match does not name the current version: `currentVersion` does.',
    codes: ['version_mismatch'],
  },
  PayloadTooLarge: { status: 413, description: 'The body is too large.', codes: ['payload_too_large'] },
  UnsupportedMediaType: {
    status: 415,
    description: 'The body is not JSON.',
    codes: ['unsupported_media_type'],
  },
  UnprocessableCredential: {
    status: 422,
    description: 'The credential did not verify, or the change needs its secrets again.',
    codes: [
      'verification_failed',
      'secrets_required',
      'idempotency_key_reused',
      'credential_invalid',
      'proxy_unsupported',
    ],
  },
  UnprocessableFlow: {
    status: 422,
    description: 'A step names a credential that does not exist or belongs to another component.',
    codes: ['invalid_flow_reference', 'too_many_references'],
  },
  StepRefused: {
    status: 403,
    description:
      'The token lacks the route’s scope, the flow is not active (`flowStatus`), or its step uses another credential (`currentCredentialId`).',
    codes: ['insufficient_scope', 'flow_not_active', 'credential_not_used_by_step'],
    headers: ['WWWAuthenticate'],
  },
  StepNotFound: {
    status: 404,
    description: 'The tenant has no such flow, or the flow no such step.',
    codes: ['flow_not_found', 'step_not_found'],
  },
  ApiFailed: {
    status: 502,
    description:
      'The component’s API gave no answer the proxy can return: unreachable, timed out, blocked, too large, or in an encoding it cannot read.',
    codes: ['api_unreachable', 'api_response_too_large', 'api_response_unreadable'],
  },
  PreconditionRequired: {
    status: 428,
    description: 'This change needs If-Match.',
    codes: ['precondition_required'],
  },
  TooManyRequests: {
    status: 429,
    description:
      'API Gateway throttled the request (the stage’s rate and burst limits), as `{"message":"Too Many Requests"}`.',
    codes: [],
    gateway: true,
  },
  InternalError: {
    status: 500,
    description: 'An unexpected failure.',
    codes: ['internal'],
  },
  ServiceUnavailable: {
    status: 503,
    description: 'DynamoDB or Secrets Manager is busy; retry after `Retry-After` seconds.',
    codes: ['upstream_unavailable'],
    headers: ['RetryAfter'],
  },
} as const satisfies Record<string, ProblemResponse>;
export type ProblemResponseName = keyof typeof PROBLEM_RESPONSES;

const exampleProblem = (code: ErrorCode, status: number, title: string) => ({
  type: `https://api.example.com/problems/${code}`,
  title,
  status,
  code,
  detail: PROBLEM_GUIDES.find((guide) => guide.code === code)?.meaning ?? title,
  errors: code === 'validation_failed' ? [{ path: 'limit', message: 'must be from 1 to 100' }] : [],
  ...(code === 'version_mismatch' ? { currentVersion: 4 } : {}),
  ...(code === 'verification_failed' ? { reason: 'invalid_credentials', upstreamStatus: 401 } : {}),
  ...(code === 'credential_in_use'
    ? {
        credentialId: 'petstore.01J9Z',
        blockingFlows: [
          { flowId: 'nightly-sync', flowName: 'Nightly sync', flowStatus: 'active', stepIds: ['fetch'] },
        ],
        affectedFlows: [
          { flowId: 'old-import', flowName: 'Old import', flowStatus: 'inactive', stepIds: ['read'] },
        ],
      }
    : {}),
});

export const problemResponseObject = (response: ProblemResponse): Json => {
  const problemCodes = response.codes;
  const first = PROBLEM_GUIDES.find((guide) => guide.code === problemCodes[0]);
  return {
    description: `${response.description}${problemCodes.length > 0 ? ` Codes: ${problemCodes.map((code) => `\`${code}\``).join(', ')}.` : ''}`,
    ...(response.headers
      ? {
          headers: Object.fromEntries(
            response.headers.map((name) => [HEADER_NAMES[name], { $ref: `#/components/headers/${name}` }]),
          ),
        }
      : {}),
    content: {
      ...(first
        ? {
            'application/problem+json': {
              schema: { $ref: '#/components/schemas/Problem' },
              example: exampleProblem(first.code, first.status, first.title),
            },
          }
        : {}),
      ...(response.gateway
        ? {
            'application/json': {
              schema: GATEWAY_MESSAGE,
              example: { message: GATEWAY_MESSAGES[response.status] ?? 'Error' },
            },
          }
        : {}),
    },
  };
};
