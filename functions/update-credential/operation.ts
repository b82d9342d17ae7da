import * as z from 'zod/mini';
import { editVersionOf, toCredentialView } from '../../shared/domain/credential.ts';
import { AppError } from '../../shared/errors/app-error.ts';
import { etag, ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation } from '../../shared/lambda/operation.ts';
import {
  credentialIdSchema,
  fieldsSchema,
  nameSchema,
  versionConditionSchema,
} from '../../shared/lambda/schema.ts';
import { updateCredential } from '../../shared/use-cases/update-credential.ts';

export const UpdateCredentialBody = z
  .strictObject({ name: z.optional(nameSchema), fields: z.optional(fieldsSchema) })
  .check(
    z.refine((body) => body.name !== undefined || body.fields !== undefined, 'send name, fields or both'),
  );

export const UpdateCredentialInput = z.strictObject({
  credentialId: credentialIdSchema,
  expectedVersion: versionConditionSchema,
  body: UpdateCredentialBody,
});

export const updateCredentialOperation = defineOperation({
  name: 'updateCredential',
  scope: 'credentials:write',
  input: UpdateCredentialInput,
  fromHttp: (request) => {
    const expectedVersion = ifMatchVersion(request);
    if (expectedVersion === undefined) {
      throw new AppError(
        'precondition_required',
        'Send If-Match with the ETag from your last read of the credential.',
      );
    }
    return { credentialId: request.pathParameters.credentialId, expectedVersion, body: request.body };
  },
  execute: (deps, actor, input) =>
    updateCredential(deps, actor, {
      credentialId: input.credentialId,
      expectedVersion: input.expectedVersion,
      ...input.body,
    }),
  toHttp: (credential) => json(200, toCredentialView(credential), { etag: etag(editVersionOf(credential)) }),
  toDirect: toCredentialView,
});
