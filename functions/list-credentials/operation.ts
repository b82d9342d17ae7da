import * as z from 'zod/mini';
import { ATTENTION_KINDS, toCredentialView } from '../../shared/domain/credential.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema, cursorSchema, limitSchema, nameTextSchema } from '../../shared/lambda/schema.ts';
import { listCredentials } from '../../shared/use-cases/list-credentials.ts';

export const ListCredentialsInput = z
  .strictObject({
    componentId: z.optional(componentIdSchema),
    /**
     * The credentials that need attention for one reason, from a sparse index (healthy ones cost
     * nothing): `invalid`, `unreachable`, `unverified`, or `expiring` (verified, but its declared
     * expiry is within its warning days).
     */
    status: z.optional(z.enum(ATTENTION_KINDS)),
    /**
     * Credentials whose name starts with this, in name order (case and width do not matter), from a
     * sparse index of names: with `componentId`, of that component only.
     */
    name: z.optional(nameTextSchema),
    limit: limitSchema,
    cursor: cursorSchema,
  })
  .check(
    z.refine((input) => !(input.componentId && input.status), {
      message: 'filter by componentId or by status, not both',
      path: ['status'],
    }),
    z.refine((input) => !(input.name && input.status), {
      message: 'search by name or filter by status, not both',
      path: ['name'],
    }),
  );

export const listCredentialsOperation = defineOperation({
  name: 'listCredentials',
  scope: 'credentials:read',
  input: ListCredentialsInput,
  fromHttp: (request) => request.query,
  execute: (deps: PortsOf<typeof listCredentials>, actor, input) =>
    listCredentials(deps, actor, { ...input, limit: input.limit ?? 20 }),
  toHttp: (page) => json(200, { items: page.items.map(toCredentialView), nextCursor: page.nextCursor }),
  toDirect: (page) => ({ items: page.items.map(toCredentialView), nextCursor: page.nextCursor }),
});
