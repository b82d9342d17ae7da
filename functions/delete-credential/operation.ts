import * as z from 'zod/mini';
import { ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { json, noContent } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { credentialIdSchema, versionConditionSchema } from '../../shared/lambda/schema.ts';
import { deleteCredential } from '../../shared/use-cases/delete-credential.ts';

export const DeleteCredentialInput = z.strictObject({
  credentialId: credentialIdSchema,
  expectedVersion: z.optional(versionConditionSchema),
  dryRun: z.optional(z.boolean()),
});

export const deleteCredentialOperation = defineOperation({
  name: 'deleteCredential',
  scope: 'credentials:write',
  input: DeleteCredentialInput,
  fromHttp: (request) => {
    const { dryRun, ...unknown } = request.query;
    return {
      credentialId: request.pathParameters.credentialId,
      expectedVersion: ifMatchVersion(request),
      ...(dryRun === undefined
        ? {}
        : { dryRun: dryRun === 'true' ? true : dryRun === 'false' ? false : dryRun }),
      ...unknown,
    };
  },
  execute: (deps: PortsOf<typeof deleteCredential>, actor, input) => deleteCredential(deps, actor, input),
  toHttp: (plan) => (plan.dryRun ? json(200, plan) : noContent()),
});
