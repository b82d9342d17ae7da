import * as z from 'zod/mini';
import { ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { noContent } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema, versionConditionSchema } from '../../shared/lambda/schema.ts';
import { deleteOAuthApp } from '../../shared/use-cases/oauth-apps.ts';

export const DeleteOAuthAppInput = z.strictObject({
  componentId: componentIdSchema,
  expectedVersion: z.optional(versionConditionSchema),
});

export const deleteOAuthAppOperation = defineOperation({
  name: 'deleteOAuthApp',
  scope: 'credentials:write',
  input: DeleteOAuthAppInput,
  fromHttp: (request) => ({
    componentId: request.pathParameters.componentId,
    expectedVersion: ifMatchVersion(request),
  }),
  execute: (deps: PortsOf<typeof deleteOAuthApp>, actor, input) => deleteOAuthApp(deps, actor, input),
  toHttp: () => noContent(),
  toDirect: () => ({ deleted: true }),
});
