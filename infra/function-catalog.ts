import type { HttpFunctionName, PublicFunctionName } from '../api/routes.ts';

export type TableAction =
  | 'GetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'BatchGetItem';
export type SecretAction =
  | 'CreateSecret'
  | 'TagResource'
  | 'GetSecretValue'
  | 'PutSecretValue'
  | 'DeleteSecret'
  | 'DescribeSecret'
  | 'RestoreSecret';

/** Functions without an HTTP route: invoked by workflows, streams or schedules. */
export type BackgroundFunctionName =
  | 'resolve-credential'
  | 'verify-due-credentials'
  | 'publish-lifecycle-events'
  | 'purge-deleted-secrets'
  | 'sweep-orphan-secrets';
/** Serves the public documents (the OpenAPI contract, problem pages): no table, no secrets. */
export type AnyFunctionName = HttpFunctionName | BackgroundFunctionName | PublicFunctionName;

/**
 * Least privilege, per function: exactly the DynamoDB and Secrets Manager actions its code path
 * uses. A TransactWriteItems needs the item-level action of each of its items.
 */
export interface FunctionAccess {
  readonly table: readonly TableAction[];
  readonly secrets: readonly SecretAction[];
  /** Verification makes outbound calls to user-chosen hosts; only these functions do. */
  readonly verifies?: boolean;
  /** Refreshes OAuth2 tokens through the lease: the timeout is sized from the refresh timing. */
  readonly refreshes?: boolean;
  /** Revokes tokens at providers (RFC 7009): outbound calls, like verification's. */
  readonly revokes?: boolean;
  readonly description: string;
}

const WRITE_FLOW: readonly TableAction[] = [
  'GetItem',
  'PutItem',
  'DeleteItem',
  'UpdateItem',
  'ConditionCheckItem',
];

export const FUNCTION_ACCESS: Record<AnyFunctionName, FunctionAccess> = {
  'get-api-document': {
    table: [],
    secrets: [],
    description: 'GET /openapi.json, GET /problems/{code}, 405 for a method a path does not answer',
  },
  'list-components': { table: ['Query'], secrets: [], description: 'GET /components' },
  'put-oauth-app': {
    table: ['GetItem', 'PutItem'],
    // RestoreSecret: an app registered again within its deleted secret's recovery window.
    secrets: ['CreateSecret', 'TagResource', 'PutSecretValue', 'DescribeSecret', 'RestoreSecret'],
    description: 'PUT /oauth-apps/{componentId}',
  },
  'list-oauth-apps': { table: ['Query'], secrets: [], description: 'GET /oauth-apps' },
  'get-oauth-app': { table: ['GetItem'], secrets: [], description: 'GET /oauth-apps/{componentId}' },
  'delete-oauth-app': {
    // The app item goes in one transaction with a check that no credential of its component is left.
    table: ['GetItem', 'DeleteItem', 'ConditionCheckItem'],
    // DescribeSecret: a deletion asked again tells "already scheduled" from DeletedDate.
    secrets: ['DeleteSecret', 'DescribeSecret'],
    description: 'DELETE /oauth-apps/{componentId}',
  },
  'create-connect-session': {
    table: ['GetItem', 'PutItem'],
    secrets: [],
    description: 'POST /connect-sessions',
  },
  'get-connect-session': {
    table: ['GetItem'],
    secrets: [],
    description: 'GET /connect-sessions/{sessionId}',
  },
  'complete-connect': {
    // Claims the session, reads the tenant's app, then creates (or re-connects) the credential.
    table: ['GetItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem'],
    secrets: ['GetSecretValue', 'CreateSecret', 'TagResource', 'DeleteSecret', 'PutSecretValue'],
    verifies: true,
    description: 'GET /oauth2/callback',
  },
  'get-component': { table: ['Query'], secrets: [], description: 'GET /components/{componentId}' },
  'create-credential': {
    table: ['PutItem', 'UpdateItem', 'GetItem'],
    secrets: ['CreateSecret', 'TagResource', 'DeleteSecret'],
    verifies: true,
    description: 'POST /credentials',
  },
  'list-credentials': { table: ['Query'], secrets: [], description: 'GET /credentials' },
  'get-credential': { table: ['GetItem'], secrets: [], description: 'GET /credentials/{credentialId}' },
  'update-credential': {
    // The update and its audit record are one TransactWriteItems (Update + Put).
    table: ['GetItem', 'UpdateItem', 'PutItem'],
    secrets: ['GetSecretValue', 'PutSecretValue'],
    verifies: true,
    description: 'PATCH /credentials/{credentialId}',
  },
  'delete-credential': {
    // UpdateItem: the count and the inactive flows it marks; ConditionCheckItem: a count that never
    // saw the item; DescribeSecret: a deletion asked again tells "already scheduled" from DeletedDate.
    table: ['GetItem', 'Query', 'DeleteItem', 'UpdateItem', 'PutItem', 'ConditionCheckItem'],
    secrets: ['DeleteSecret', 'DescribeSecret'],
    description: 'DELETE /credentials/{credentialId}',
  },
  'get-credential-usage': {
    table: ['GetItem', 'Query'],
    secrets: [],
    description: 'GET /credentials/{credentialId}/usage',
  },
  'replace-credential': {
    table: [...WRITE_FLOW, 'Query'],
    secrets: [],
    description: 'POST /credentials/{credentialId}/replace',
  },
  'verify-credential': {
    table: ['GetItem', 'UpdateItem', 'PutItem'],
    secrets: ['GetSecretValue', 'PutSecretValue'],
    verifies: true,
    refreshes: true,
    description: 'POST /credentials/{credentialId}/verify',
  },
  'get-credential-audit': {
    table: ['Query'],
    secrets: [],
    description: 'GET /credentials/{credentialId}/audit',
  },
  'put-flow': { table: WRITE_FLOW, secrets: [], description: 'PUT /flows/{flowId}' },
  'get-flow': { table: ['GetItem'], secrets: [], description: 'GET /flows/{flowId}' },
  'list-flows': { table: ['Query'], secrets: [], description: 'GET /flows' },
  'delete-flow': {
    // Query: a malformed flow item is deleted through the usage items that record its references.
    table: [...WRITE_FLOW, 'Query'],
    secrets: [],
    description: 'DELETE /flows/{flowId}',
  },
  'resolve-credential': {
    // TransactGetItems needs GetItem; refresh writes the secret version, the item and the lease; a
    // cache hit's audit write is conditional on the flow's usage item (ConditionCheckItem).
    table: ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    secrets: ['GetSecretValue', 'PutSecretValue'],
    verifies: true,
    refreshes: true,
    description: 'Direct invoke by workflows: secret values for an active flow step',
  },
  'verify-due-credentials': {
    // Query: the due index; then a re-verification's writes (the item and its audit record in one
    // transaction) or a refresh through the lease (its item, the secret version, the commit); the
    // one pass that gives older credentials a due time (a page of the tenant, its position item).
    table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    secrets: ['GetSecretValue', 'PutSecretValue'],
    verifies: true,
    refreshes: true,
    description: 'Scheduled: re-verifies the credentials whose check is due',
  },
  'proxy-request': {
    // Resolve's reads, refresh and conditional audit write; then a request to the component's API.
    table: ['GetItem', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    secrets: ['GetSecretValue', 'PutSecretValue'],
    verifies: true,
    refreshes: true,
    description: 'POST /proxy, and direct invoke by workflows: calls a component API for an active flow step',
  },
  'publish-lifecycle-events': {
    // Query: the usage items of each event's credential, to name the flows it affects.
    table: ['Query'],
    secrets: [],
    description: 'Table stream consumer: audit records to EventBridge, with the flows they affect',
  },
  'purge-deleted-secrets': {
    // GetItem, GetSecretValue: the tenant's OAuth app and the deleted credential's tokens, to revoke
    // them at a provider that takes revocations.
    table: ['GetItem'],
    // DescribeSecret: the secret's tags must name the deleted credential before it is removed.
    secrets: ['DescribeSecret', 'DeleteSecret', 'GetSecretValue'],
    revokes: true,
    description: 'Table stream consumer: schedules secret deletions',
  },
  'sweep-orphan-secrets': {
    // BatchGetItem: existence 100 at a time; Get/PutItem: its resume position; Query + Update/PutItem:
    // the reverse pass that marks credentials without their secret invalid (audited).
    table: ['GetItem', 'BatchGetItem', 'PutItem', 'Query', 'UpdateItem'],
    secrets: ['DeleteSecret', 'DescribeSecret'],
    description:
      'Hourly, resumable: schedules deletion of secrets without an item, marks items without a secret invalid',
  },
};
