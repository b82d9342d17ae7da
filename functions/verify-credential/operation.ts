import * as z from 'zod/mini';
import { editVersionOf, toCredentialView } from '../../shared/domain/credential.ts';
import { etag } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation } from '../../shared/lambda/operation.ts';
import { credentialIdSchema } from '../../shared/lambda/schema.ts';
import { reverifyCredential } from '../../shared/use-cases/reverify-credential.ts';

export const VerifyCredentialInput = z.strictObject({ credentialId: credentialIdSchema });

export const verifyCredentialOperation = defineOperation({
  name: 'verifyCredential',
  scope: 'credentials:write',
  input: VerifyCredentialInput,
  fromHttp: (request) => ({ credentialId: request.pathParameters.credentialId }),
  execute: (deps, actor, input) => reverifyCredential(deps, actor, input.credentialId),
  toHttp: ({ credential, verification }) =>
    json(
      200,
      { credential: toCredentialView(credential), verification },
      { etag: etag(editVersionOf(credential)) },
    ),
  toDirect: ({ credential, verification }) => ({ credential: toCredentialView(credential), verification }),
});
