import { createConnectSessionOperation } from '../functions/create-connect-session/operation.ts';
import { createCredentialOperation } from '../functions/create-credential/operation.ts';
import { deleteCredentialOperation } from '../functions/delete-credential/operation.ts';
import { deleteFlowOperation } from '../functions/delete-flow/operation.ts';
import { deleteOAuthAppOperation } from '../functions/delete-oauth-app/operation.ts';
import { getComponentOperation } from '../functions/get-component/operation.ts';
import { getConnectSessionOperation } from '../functions/get-connect-session/operation.ts';
import { getCredentialOperation } from '../functions/get-credential/operation.ts';
import { getCredentialAuditOperation } from '../functions/get-credential-audit/operation.ts';
import { getCredentialUsageOperation } from '../functions/get-credential-usage/operation.ts';
import { getFlowOperation } from '../functions/get-flow/operation.ts';
import { getOAuthAppOperation } from '../functions/get-oauth-app/operation.ts';
import { listComponentsOperation } from '../functions/list-components/operation.ts';
import { listCredentialsOperation } from '../functions/list-credentials/operation.ts';
import { listFlowsOperation } from '../functions/list-flows/operation.ts';
import { listOAuthAppsOperation } from '../functions/list-oauth-apps/operation.ts';
import { proxyRequestOperation } from '../functions/proxy-request/operation.ts';
import { putFlowOperation } from '../functions/put-flow/operation.ts';
import { putOAuthAppOperation } from '../functions/put-oauth-app/operation.ts';
import { replaceCredentialOperation } from '../functions/replace-credential/operation.ts';
import { updateCredentialOperation } from '../functions/update-credential/operation.ts';
import { verifyCredentialOperation } from '../functions/verify-credential/operation.ts';
import type { Operation } from '../shared/lambda/operation.ts';
import type { HttpFunctionName } from './routes.ts';

/** Every HTTP-routed operation by function name: for the local gateway and the tests. */
export const OPERATIONS: Record<HttpFunctionName, Operation> = {
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
