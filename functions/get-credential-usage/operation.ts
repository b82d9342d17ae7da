import * as z from 'zod/mini';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { credentialIdSchema } from '../../shared/lambda/schema.ts';
import { credentialUsage } from '../../shared/use-cases/flow-queries.ts';

export const GetCredentialUsageInput = z.strictObject({ credentialId: credentialIdSchema });

export const getCredentialUsageOperation = defineOperation({
  name: 'getCredentialUsage',
  scope: 'credentials:read',
  input: GetCredentialUsageInput,
  fromHttp: (request) => ({ credentialId: request.pathParameters.credentialId }),
  execute: (deps: PortsOf<typeof credentialUsage>, actor, input) =>
    credentialUsage(deps, actor, input.credentialId),
  toHttp: (usage) => json(200, usage),
});
