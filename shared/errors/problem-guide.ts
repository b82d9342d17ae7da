import type { ErrorCode } from './app-error.ts';
import { problemStatusAndTitle } from './problem.ts';

export interface ProblemGuide {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  /** What happened, for a person reading the page behind the problem's `type` URI. */
  readonly meaning: string;
  /** What to do about it. */
  readonly action: string;
  /** Problem members beyond the standard ones that this code carries. */
  readonly extensions?: readonly string[];
}

const GUIDES: Record<ErrorCode, Omit<ProblemGuide, 'code' | 'status' | 'title'>> = {
  malformed_request: {
    meaning:
      'The request could not be read: the body is not JSON, a query parameter is repeated, the path has broken percent-encoding, or If-Match is not a list of entity tags.',
    action: 'Fix the request as `detail` says and send it again.',
  },
  validation_failed: {
    meaning: 'The request was read but some values break the rules: `errors[]` names each field and rule.',
    action: 'Correct every field listed in `errors[]` and send the request again. Nothing was stored.',
  },
  payload_too_large: {
    meaning: 'The body is larger than the API accepts (256 KB; a secret may be at most 64 KB).',
    action: 'Send a smaller body.',
  },
  unsupported_media_type: {
    meaning: 'The body was not sent as JSON.',
    action: 'Send `Content-Type: application/json` (or `application/merge-patch+json` for PATCH).',
  },
  unauthorized: {
    meaning:
      'No bearer token was sent, or it is expired, not yet valid or not signed by the tenant’s issuer.',
    action:
      'Get a fresh access token from your identity provider and send it as `Authorization: Bearer <token>`.',
  },
  insufficient_scope: {
    meaning: 'The token is valid but lacks the scope the route needs (`requiredScope`).',
    action: 'Ask your identity provider for a token that carries `requiredScope`.',
    extensions: ['requiredScope'],
  },
  secrets_required: {
    meaning:
      'The change moves where the credential’s secrets are sent (a URL, host or token endpoint). Stored secrets never follow such a change on their own.',
    action: 'Send the secret fields named in `secretFields` again in the same request.',
    extensions: ['secretFields'],
  },
  corrupt_item: {
    meaning:
      'A stored item does not have the shape the service writes: it was edited outside the API, so it is not served. `key` names it.',
    action:
      'Delete it (a credential or a flow can still be deleted, and its references are released), or have the operators restore it from a backup.',
    extensions: ['key'],
  },
  not_found: {
    meaning: 'Nothing with that id exists for your tenant (or it was deleted).',
    action: 'Check the id; list the collection to find the right one.',
  },
  route_not_found: {
    meaning: 'No route has that path.',
    action: 'Check the path against the API reference (`GET /openapi.json`).',
  },
  method_not_allowed: {
    meaning: 'The path exists but does not answer that method.',
    action: 'Use one of the methods in the `Allow` header.',
  },
  header_fields_too_large: {
    meaning: 'The request line or headers are larger than 16 KB.',
    action: 'Send a shorter path, cursor or header.',
  },
  version_mismatch: {
    meaning:
      'If-Match does not name the current version: someone changed the resource since you read it, or the tag was not issued by this API.',
    action: 'Read the resource again (`currentVersion` is the current one), reapply your change, and retry.',
    extensions: ['currentVersion'],
  },
  precondition_required: {
    meaning: 'This change needs If-Match, so that it never overwrites someone else’s edit unseen.',
    action: 'Read the resource, then send its ETag in If-Match.',
  },
  credential_in_use: {
    meaning:
      'Active flows use the credential, and would break without it; `blockingFlows` lists each one and its steps. `affectedFlows` lists the inactive flows that would lose it.',
    action:
      'Deactivate or delete those flows, or move them to another credential of the same component, then delete again.',
    extensions: ['credentialId', 'blockingFlows', 'affectedFlows'],
  },
  credential_missing: {
    meaning:
      'The flow cannot be activated: some of its steps name a credential that was deleted while the flow was inactive; `steps` lists them.',
    action: 'Give those steps another credential of their component, then activate the flow.',
    extensions: ['flowId', 'steps', 'credentialIds'],
  },
  oauth_app_in_use: {
    meaning: 'Credentials of this component still use the OAuth app; `credentialCount` says how many.',
    action: 'Delete those credentials (or move their flows and delete them) first, then delete the app.',
    extensions: ['componentId', 'credentialCount'],
  },
  oauth_app_missing: {
    meaning: 'The component connects through an OAuth app of your tenant, and none is registered for it.',
    action:
      'Register one with `PUT /oauth-apps/{componentId}` (client id and secret from the provider), then connect again.',
    extensions: ['componentId'],
  },
  connect_failed: {
    meaning:
      'The connect session cannot go on: its state is unknown, expired or already used, the provider refused, or the code exchange failed. Nothing was stored.',
    action: 'Start a new connect session (`POST /connect-sessions`) and consent again.',
    extensions: ['reason', 'sessionId'],
  },
  idempotency_key_reused: {
    meaning: 'The Idempotency-Key was already used for a different request body.',
    action: 'Use a new key for a new request; reuse a key only to retry the same request.',
  },
  verification_failed: {
    meaning:
      'The dry request to the component’s API refused the credential or could not reach it; `reason` says which (invalid_credentials, insufficient_scope, unreachable, timeout, rate_limited, upstream_error, blocked_destination). Nothing was stored.',
    action:
      'Correct the fields (invalid_credentials, insufficient_scope) or retry later (unreachable, timeout, rate_limited, upstream_error).',
    extensions: ['reason', 'upstreamStatus', 'upstreamExcerpt'],
  },
  invalid_flow_reference: {
    meaning: 'A flow step names a credential that does not exist or belongs to another component.',
    action:
      'Use a credential of the step’s component; `credentialId`, `componentId` and `steps` name the one at fault.',
    extensions: ['credentialId', 'componentId', 'steps', 'flowId'],
  },
  flow_not_found: {
    meaning: 'The flow named by a workflow step does not exist in this tenant (a typo, or a deleted flow).',
    action: 'Fix the flow id the workflow sends; this will not pass on retry.',
    extensions: ['flowId'],
  },
  flow_not_active: {
    meaning: 'The flow exists but is not active (paused), so its steps may not use credentials.',
    action: 'Activate the flow, or let the workflow stop quietly: `flowStatus` says what it is.',
    extensions: ['flowId', 'flowStatus'],
  },
  step_not_found: {
    meaning: 'The active flow has no step with this id (it was removed or renamed).',
    action: 'Send a step id the flow has; this will not pass on retry.',
    extensions: ['flowId', 'stepId'],
  },
  credential_not_used_by_step: {
    meaning:
      'The call named a credential the step does not use (the step was re-pointed, for example by a replace).',
    action:
      'Leave `credentialId` out so the step’s current credential is used, or send `currentCredentialId`.',
    extensions: ['flowId', 'stepId', 'currentCredentialId'],
  },
  credential_invalid: {
    meaning:
      'The credential cannot be used: it is marked invalid (its provider refused it), or its secret is missing from the secret store (`reason: secret_missing`).',
    action:
      'Replace its secrets with PATCH, or re-verify it once the provider accepts it again; a credential whose secret is missing must be deleted and created again.',
    extensions: ['reason', 'credentialId'],
  },
  proxy_unsupported: {
    meaning:
      'The proxy cannot call this credential’s API: its component has no HTTP API (PostgreSQL), or the credential has no API base URL.',
    action: 'Use resolve for components that need the raw secret, or set the API base URL with the secrets.',
    extensions: ['componentId'],
  },
  api_unreachable: {
    meaning:
      'The proxy could not get an answer from the component’s API (timeout, refused connection, or a destination the network guard blocks). The request may have reached it.',
    action:
      'Retry after `retryAfterSeconds` if the request is idempotent; `reason` says what failed (timeout, connection_failed, blocked_destination).',
    extensions: ['reason', 'retryAfterSeconds'],
  },
  api_response_too_large: {
    meaning:
      'The component’s API answered with more than the proxy can return in one invocation (Lambda’s 6 MB payload).',
    action: 'Ask the API for less (paging, fields), or use resolve for bulk downloads.',
    extensions: ['limitBytes'],
  },
  api_response_unreadable: {
    meaning:
      'The component’s API answered in a content encoding the proxy cannot decode, though it asked for none. An answer the proxy cannot read is an answer it cannot mask, so it is withheld.',
    action: 'Ask the API for an uncompressed (or gzip, deflate, br) answer, or call it through resolve.',
    extensions: ['contentEncoding'],
  },
  too_many_references: {
    meaning:
      'A flow may use at most 49 distinct credentials (one DynamoDB transaction holds its references).',
    action: 'Split the flow, or reuse credentials across its steps.',
  },
  conflict: {
    meaning: 'A concurrent change won the race for the same item.',
    action: 'Read the resource again and retry.',
  },
  upstream_unavailable: {
    meaning:
      'DynamoDB, Secrets Manager or a token endpoint is throttling or unreachable for a moment. Nothing was half-done.',
    action: 'Retry after `retryAfterSeconds` (over HTTP also `Retry-After`).',
    extensions: ['retryAfterSeconds'],
  },
  internal: {
    meaning: 'The service failed unexpectedly. The detail is kept out of the answer on purpose.',
    action: 'Retry later; if it persists, report the time and route to the operators.',
  },
};

export const PROBLEM_GUIDES: readonly ProblemGuide[] = (Object.keys(GUIDES) as ErrorCode[]).map((code) => {
  const [status, title] = problemStatusAndTitle(code);
  return { code, status, title, ...GUIDES[code] };
});

export const problemGuide = (code: string): ProblemGuide | undefined =>
  PROBLEM_GUIDES.find((guide) => guide.code === code);
