import type { Operation } from '../shared/lambda/operation.ts';
import { createConnectSessionOperation } from './create-connect-session/operation.ts';
import { createCredentialOperation } from './create-credential/operation.ts';
import { deleteCredentialOperation } from './delete-credential/operation.ts';
import { deleteFlowOperation } from './delete-flow/operation.ts';
import { deleteOAuthAppOperation } from './delete-oauth-app/operation.ts';
import { getComponentOperation } from './get-component/operation.ts';
import { getConnectSessionOperation } from './get-connect-session/operation.ts';
import { getCredentialOperation } from './get-credential/operation.ts';
import { getCredentialAuditOperation } from './get-credential-audit/operation.ts';
import { getCredentialUsageOperation } from './get-credential-usage/operation.ts';
import { getFlowOperation } from './get-flow/operation.ts';
import { getOAuthAppOperation } from './get-oauth-app/operation.ts';
import { listComponentsOperation } from './list-components/operation.ts';
import { listCredentialsOperation } from './list-credentials/operation.ts';
import { listFlowsOperation } from './list-flows/operation.ts';
import { listOAuthAppsOperation } from './list-oauth-apps/operation.ts';
import { proxyRequestOperation } from './proxy-request/operation.ts';
import { putFlowOperation } from './put-flow/operation.ts';
import { putOAuthAppOperation } from './put-oauth-app/operation.ts';
import { replaceCredentialOperation } from './replace-credential/operation.ts';
import type { FunctionName } from './routes.ts';
import { updateCredentialOperation } from './update-credential/operation.ts';
import { verifyCredentialOperation } from './verify-credential/operation.ts';

/** Every HTTP-routed operation by function name: for the local gateway and the tests. */
export const OPERATIONS: Record<FunctionName, Operation> = {
  'list-components': listComponentsOperation,
  'get-component': getComponentOperation,
  'create-credential': createCredentialOperation,
  'list-credentials': listCredentialsOperation,
  'get-credential': getCredentialOperation,
  'update-credential': updateCredentialOperation,
  'delete-credential': deleteCredentialOperation,
  'get-credential-usage': getCredentialUsageOperation,
  'replace-credential': replaceCredentialOperation,
  'verify-credential': verifyCredentialOperation,
  'get-credential-audit': getCredentialAuditOperation,
  'put-flow': putFlowOperation,
  'get-flow': getFlowOperation,
  'list-flows': listFlowsOperation,
  'delete-flow': deleteFlowOperation,
  'put-oauth-app': putOAuthAppOperation,
  'list-oauth-apps': listOAuthAppsOperation,
  'get-oauth-app': getOAuthAppOperation,
  'delete-oauth-app': deleteOAuthAppOperation,
  'create-connect-session': createConnectSessionOperation,
  'get-connect-session': getConnectSessionOperation,
  // Its entry also takes workflows' direct events (functions/proxy-request/proxy-handler.ts).
  'proxy-request': proxyRequestOperation as unknown as Operation,
};
