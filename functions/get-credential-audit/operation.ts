import * as z from 'zod/mini';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { credentialIdSchema, cursorSchema, limitSchema } from '../../shared/lambda/schema.ts';
import { credentialAudit } from '../../shared/use-cases/credential-audit.ts';

export const GetCredentialAuditInput = z.strictObject({
  credentialId: credentialIdSchema,
  limit: limitSchema,
  cursor: cursorSchema,
});

export const getCredentialAuditOperation = defineOperation({
  name: 'getCredentialAudit',
  scope: 'audit:read',
  input: GetCredentialAuditInput,
  fromHttp: (request) => ({ credentialId: request.pathParameters.credentialId, ...request.query }),
  execute: (deps: PortsOf<typeof credentialAudit>, actor, input) =>
    credentialAudit(deps, actor, { ...input, limit: input.limit ?? 50 }),
  toHttp: (page) => json(200, page),
});
