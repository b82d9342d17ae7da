import * as z from 'zod/mini';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { credentialIdSchema } from '../../shared/lambda/schema.ts';
import { replaceCredential } from '../../shared/use-cases/replace-credential.ts';

export const ReplaceCredentialInput = z.strictObject({
  credentialId: credentialIdSchema,
  body: z.strictObject({ replacementId: credentialIdSchema }),
});

export const replaceCredentialOperation = defineOperation({
  name: 'replaceCredential',
  scope: 'credentials:write',
  input: ReplaceCredentialInput,
  fromHttp: (request) => ({ credentialId: request.pathParameters.credentialId, body: request.body }),
  execute: (deps: PortsOf<typeof replaceCredential>, actor, input) =>
    replaceCredential(deps, actor, {
      credentialId: input.credentialId,
      replacementId: input.body.replacementId,
    }),
  toHttp: (result) => json(200, result),
});
