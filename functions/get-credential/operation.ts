import * as z from 'zod/mini';
import { editVersionOf, toCredentialView } from '../../shared/domain/credential.ts';
import { etag } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { credentialIdSchema } from '../../shared/lambda/schema.ts';
import { getCredential } from '../../shared/use-cases/get-credential.ts';

export const GetCredentialInput = z.strictObject({ credentialId: credentialIdSchema });

export const getCredentialOperation = defineOperation({
  name: 'getCredential',
  scope: 'credentials:read',
  input: GetCredentialInput,
  fromHttp: (request) => ({ credentialId: request.pathParameters.credentialId }),
  execute: (deps: PortsOf<typeof getCredential>, actor, input) =>
    getCredential(deps, actor, input.credentialId),
  toHttp: (credential) => json(200, toCredentialView(credential), { etag: etag(editVersionOf(credential)) }),
  toDirect: toCredentialView,
});
