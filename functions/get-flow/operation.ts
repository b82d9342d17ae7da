import * as z from 'zod/mini';
import { toFlowView } from '../../shared/domain/flow.ts';
import { etag } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { flowIdSchema } from '../../shared/lambda/schema.ts';
import { getFlow } from '../../shared/use-cases/flow-queries.ts';

export const GetFlowInput = z.strictObject({ flowId: flowIdSchema });

export const getFlowOperation = defineOperation({
  name: 'getFlow',
  scope: 'flows:read',
  input: GetFlowInput,
  fromHttp: (request) => ({ flowId: request.pathParameters.flowId }),
  execute: (deps: PortsOf<typeof getFlow>, actor, input) => getFlow(deps, actor, input.flowId),
  toHttp: (flow) => json(200, toFlowView(flow), { etag: etag(flow.version) }),
  toDirect: toFlowView,
});
