import type { HttpFunctionName } from '../routes.ts';
import type { HeaderName, ProblemResponseName } from './problem-responses.ts';
import type { SchemaName } from './response-schemas.ts';

export interface SuccessDoc {
  readonly status: number;
  readonly description: string;
  /** A named response schema; absent for an empty body. */
  readonly schema?: SchemaName;
  readonly headers?: readonly HeaderName[];
}

export interface OperationDoc {
  readonly summary: string;
  readonly description: string;
  readonly tag: 'Components' | 'Credentials' | 'Flows' | 'Audit' | 'Connect' | 'Workflows';
  readonly success: readonly SuccessDoc[];
  /** Beyond what every authenticated route can answer (400, 401, 403, 429, 500, 503). */
  readonly problems: readonly ProblemResponseName[];
}

const WRITE_BODY: readonly ProblemResponseName[] = ['PayloadTooLarge', 'UnsupportedMediaType'];

/** What the route table cannot say: each operation's prose, success answers and extra problems. */
export const OPERATION_DOCS: Record<HttpFunctionName, OperationDoc> = {
  'list-components': {
    summary: 'List components with their credential counts',
    description:
      'Every component the service knows, with how many credentials the tenant has for each (the number on the component’s icon).',
    tag: 'Components',
    success: [{ status: 200, description: 'The components.', schema: 'ComponentList' }],
    problems: [],
  },
  'get-component': {
    summary: 'Get a component and its field schema',
    description:
      'The fields a credential of this component takes (labels, types, which are secret) and how it is verified.',
    tag: 'Components',
    success: [{ status: 200, description: 'The component.', schema: 'Component' }],
    problems: ['NotFound'],
  },
  'create-credential': {
    summary: 'Create a credential (verified first)',
    description:
      'Verifies the fields with a dry request to the component’s API, then stores the secret fields in Secrets Manager and the rest as metadata. Secret fields are never returned. Retrying with the same Idempotency-Key creates one credential.',
    tag: 'Credentials',
    success: [
      { status: 201, description: 'Created.', schema: 'Credential', headers: ['Location', 'ETag'] },
      {
        status: 200,
        description: 'A replay of an earlier request with the same Idempotency-Key.',
        schema: 'Credential',
        headers: ['Location', 'ETag', 'IdempotentReplayed'],
      },
    ],
    problems: ['NotFound', 'UnprocessableCredential', 'Conflict', ...WRITE_BODY],
  },
  'list-credentials': {
    summary: 'List credentials',
    description:
      'Newest first, paginated with `cursor`. Filter by `componentId`, or by `status` for the credentials that need attention.',
    tag: 'Credentials',
    success: [{ status: 200, description: 'A page of credentials.', schema: 'CredentialPage' }],
    problems: [],
  },
  'get-credential': {
    summary: 'Get a credential',
    description:
      'Its plain fields, which secret fields are set, its verification status and how many flows use it.',
    tag: 'Credentials',
    success: [{ status: 200, description: 'The credential.', schema: 'Credential', headers: ['ETag'] }],
    problems: ['NotFound'],
  },
  'update-credential': {
    summary: 'Rename a credential or change its fields',
    description:
      'A merge: fields not sent keep their value, `null` clears an optional one. Changed fields are verified before saving. Changing where secrets are sent (a URL or host) needs the secrets again. Needs If-Match.',
    tag: 'Credentials',
    success: [
      { status: 200, description: 'The updated credential.', schema: 'Credential', headers: ['ETag'] },
    ],
    problems: [
      'NotFound',
      'PreconditionFailed',
      'PreconditionRequired',
      'UnprocessableCredential',
      'Conflict',
      ...WRITE_BODY,
    ],
  },
  'delete-credential': {
    summary: 'Delete a credential',
    description:
      'Refused with 409 while an active flow uses the credential, naming the flows and their steps. Inactive flows that use it keep their steps, marked `credentialMissing`, and cannot be activated until those steps use another credential. `dryRun=true` answers whether it could be deleted, without deleting.',
    tag: 'Credentials',
    success: [
      { status: 204, description: 'Deleted; the secret is scheduled for deletion.' },
      { status: 200, description: 'The plan, with `dryRun=true`.', schema: 'DeletePlan' },
    ],
    problems: ['NotFound', 'CredentialInUse', 'UnprocessableDelete', 'PreconditionFailed'],
  },
  'get-credential-usage': {
    summary: 'List the flows that use a credential',
    description: 'Every flow and step that references the credential, active or not.',
    tag: 'Credentials',
    success: [{ status: 200, description: 'The usage.', schema: 'Usage' }],
    problems: ['NotFound'],
  },
  'replace-credential': {
    summary: 'Move every flow from one credential to another',
    description:
      'Points every step that uses this credential at `replacementId` (a credential of the same component), so the old one can be deleted.',
    tag: 'Credentials',
    success: [{ status: 200, description: 'The flows moved.', schema: 'ReplaceResult' }],
    problems: ['NotFound', 'UnprocessableFlow', 'Conflict', ...WRITE_BODY],
  },
  'verify-credential': {
    summary: 'Re-verify a stored credential',
    description:
      'Runs the dry request again and records the result (`status`, `statusReason`, `lastVerifiedAt`). A failed verification is a result, not an error.',
    tag: 'Credentials',
    success: [
      {
        status: 200,
        description: 'The result and the credential.',
        schema: 'VerifyResult',
        headers: ['ETag'],
      },
    ],
    problems: ['NotFound', 'UnprocessableCredential', 'Conflict'],
  },
  'get-credential-audit': {
    summary: 'Read a credential’s audit trail',
    description:
      'Who did what and when, newest first; never a value. Kept 90 days, also after the credential is deleted.',
    tag: 'Audit',
    success: [{ status: 200, description: 'A page of records.', schema: 'AuditPage' }],
    problems: ['NotFound'],
  },
  'put-flow': {
    summary: 'Create or replace a flow',
    description:
      'A flow’s steps name the credentials they use; references are checked and counted in the same transaction. A flow whose steps name a deleted credential (`credentialMissing`) stays inactive until they use another one. If-Match makes the change conditional.',
    tag: 'Flows',
    success: [
      { status: 200, description: 'Replaced.', schema: 'Flow', headers: ['ETag'] },
      { status: 201, description: 'Created.', schema: 'Flow', headers: ['ETag', 'Location'] },
    ],
    problems: ['PreconditionFailed', 'UnprocessableFlow', 'FlowCredentialMissing', ...WRITE_BODY],
  },
  'get-flow': {
    summary: 'Get a flow',
    description: 'The flow, its steps and the credentials they use.',
    tag: 'Flows',
    success: [{ status: 200, description: 'The flow.', schema: 'Flow', headers: ['ETag'] }],
    problems: ['NotFound'],
  },
  'list-flows': {
    summary: 'List flows',
    description: 'Paginated with `cursor`.',
    tag: 'Flows',
    success: [{ status: 200, description: 'A page of flows.', schema: 'FlowPage' }],
    problems: [],
  },
  'delete-flow': {
    summary: 'Delete a flow',
    description: 'Releases its references to credentials in the same transaction.',
    tag: 'Flows',
    success: [{ status: 204, description: 'Deleted.' }],
    problems: ['NotFound', 'PreconditionFailed', 'Conflict'],
  },
  'put-oauth-app': {
    summary: 'Register or replace the tenant’s OAuth app for a component',
    description:
      'The client id and secret of your own OAuth client at the provider (GitHub, Google, Salesforce…). The secret goes to Secrets Manager and is never returned; `redirectUri` is the callback URL to register at the provider.',
    tag: 'Connect',
    success: [
      { status: 201, description: 'Registered.', schema: 'OAuthApp', headers: ['ETag', 'Location'] },
      { status: 200, description: 'Replaced.', schema: 'OAuthApp', headers: ['ETag'] },
    ],
    problems: ['NotFound', 'PreconditionFailed', ...WRITE_BODY],
  },
  'list-oauth-apps': {
    summary: 'List the tenant’s OAuth apps',
    description: 'Every registered app, without secrets.',
    tag: 'Connect',
    success: [{ status: 200, description: 'The apps.', schema: 'OAuthAppList' }],
    problems: [],
  },
  'get-oauth-app': {
    summary: 'Get the tenant’s OAuth app for a component',
    description: 'Client id, scopes, which secret fields are set, and the callback URL to register.',
    tag: 'Connect',
    success: [{ status: 200, description: 'The app.', schema: 'OAuthApp', headers: ['ETag'] }],
    problems: ['NotFound'],
  },
  'delete-oauth-app': {
    summary: 'Delete the tenant’s OAuth app for a component',
    description:
      'Refused with 409 while credentials of the component exist (their refreshes use the app), naming how many.',
    tag: 'Connect',
    success: [{ status: 204, description: 'Deleted; its secret is scheduled for deletion.' }],
    problems: ['NotFound', 'OAuthAppInUse', 'PreconditionFailed'],
  },
  'create-connect-session': {
    summary: 'Start connecting an app (authorization code with PKCE)',
    description:
      'Answers the provider’s `authorizationUrl` to open in a browser. After consent the provider returns to `/oauth2/callback`, which stores the verified credential (or re-connects `credentialId`) and redirects to `returnUrl`. Sessions last 10 minutes.',
    tag: 'Connect',
    success: [
      { status: 201, description: 'Started.', schema: 'ConnectSessionCreated', headers: ['Location'] },
    ],
    problems: ['NotFound', 'UnprocessableConnect', ...WRITE_BODY],
  },
  'get-connect-session': {
    summary: 'Follow a connect session',
    description:
      '`pending` until the browser returns; then `connected` with `credentialId`, or `failed` with `reason`.',
    tag: 'Connect',
    success: [{ status: 200, description: 'The session.', schema: 'ConnectSession' }],
    problems: ['NotFound'],
  },
  'proxy-request': {
    summary: 'Call a component’s API with a flow step’s credential',
    description:
      'Sends `request` (a path under the credential’s API base, never a URL) to the API the credential was saved for, authenticated from its secret, and answers the API’s status, headers and body with any echoed secret masked. The same authorization as a workflow’s resolve: the flow must be active and its step must use the credential. OAuth2 tokens are refreshed first when due, and once more if the API answers 401. Workflows invoke the function directly with the same fields plus `tenantId` (docs/workflows.md).',
    tag: 'Workflows',
    success: [{ status: 200, description: 'The API’s answer.', schema: 'ProxiedResponse' }],
    problems: [
      'StepRefused',
      'StepNotFound',
      'UnprocessableCredential',
      'ApiFailed',
      'PayloadTooLarge',
      'UnsupportedMediaType',
    ],
  },
};
