import * as z from 'zod/mini';
import { editVersionOf, toCredentialView } from '../../shared/domain/credential.ts';
import { etag } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema, fieldsSchema, nameSchema } from '../../shared/lambda/schema.ts';
import { createCredential } from '../../shared/use-cases/create-credential.ts';

export const CreateCredentialBody = z.strictObject({
  componentId: componentIdSchema,
  name: z.optional(nameSchema),
  fields: fieldsSchema,
});

export const CreateCredentialInput = z.strictObject({
  body: CreateCredentialBody,
  idempotencyKey: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8-128 letters, digits or _.:-')),
  ),
});
export type CreateCredentialInput = z.infer<typeof CreateCredentialInput>;

export const createCredentialOperation = defineOperation({
  name: 'createCredential',
  scope: 'credentials:write',
  input: CreateCredentialInput,
  fromHttp: (request) => ({ body: request.body, idempotencyKey: request.headers['idempotency-key'] }),
  execute: (deps: PortsOf<typeof createCredential>, actor, input) =>
    createCredential(deps, actor, { ...input.body, idempotencyKey: input.idempotencyKey }),
  toHttp: ({ credential, created }) =>
    json(created ? 201 : 200, toCredentialView(credential), {
      location: `/credentials/${credential.id}`,
      etag: etag(editVersionOf(credential)),
      ...(created ? {} : { 'idempotent-replayed': 'true' }),
    }),
  toDirect: ({ credential, created }) => ({ credential: toCredentialView(credential), created }),
});
