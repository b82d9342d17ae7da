import * as z from 'zod/mini';
import { ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { noContent } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { flowIdSchema, versionConditionSchema } from '../../shared/lambda/schema.ts';
import { deleteFlow } from '../../shared/use-cases/flow-queries.ts';

export const DeleteFlowInput = z.strictObject({
  flowId: flowIdSchema,
  expectedVersion: z.optional(versionConditionSchema),
});

export const deleteFlowOperation = defineOperation({
  name: 'deleteFlow',
  scope: 'flows:write',
  input: DeleteFlowInput,
  fromHttp: (request) => ({
    flowId: request.pathParameters.flowId,
    expectedVersion: ifMatchVersion(request),
  }),
  execute: (deps: PortsOf<typeof deleteFlow>, actor, input) => deleteFlow(deps, actor, input),
  toHttp: () => noContent(),
  toDirect: () => ({ deleted: true }),
});
