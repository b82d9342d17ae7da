import * as z from 'zod/mini';
import { toFlowView } from '../../shared/domain/flow.ts';
import { etag, ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import {
  componentIdSchema,
  credentialIdSchema,
  flowIdSchema,
  stepIdSchema,
  versionConditionSchema,
} from '../../shared/lambda/schema.ts';
import { putFlow } from '../../shared/use-cases/put-flow.ts';

export const FlowStepSchema = z.strictObject({
  stepId: stepIdSchema,
  componentId: componentIdSchema,
  credentialId: credentialIdSchema,
  /** Read-only (GET answers carry it); accepted so a flow read can be sent back as it is. */
  credentialMissing: z.optional(z.boolean()),
});

export const PutFlowBody = z.strictObject({
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  status: z.enum(['active', 'inactive']),
  steps: z.array(FlowStepSchema).check(z.maxLength(100)),
});

export const PutFlowInput = z.strictObject({
  flowId: flowIdSchema,
  expectedVersion: z.optional(versionConditionSchema),
  body: PutFlowBody,
});

export const putFlowOperation = defineOperation({
  name: 'putFlow',
  scope: 'flows:write',
  input: PutFlowInput,
  fromHttp: (request) => ({
    flowId: request.pathParameters.flowId,
    expectedVersion: ifMatchVersion(request),
    body: request.body,
  }),
  execute: (deps: PortsOf<typeof putFlow>, actor, input) =>
    putFlow(deps, actor, { flowId: input.flowId, expectedVersion: input.expectedVersion, ...input.body }),
  toHttp: ({ flow, created }) =>
    json(created ? 201 : 200, toFlowView(flow), {
      etag: etag(flow.version),
      ...(created ? { location: `/flows/${flow.flowId}` } : {}),
    }),
  toDirect: ({ flow, created }) => ({ flow: toFlowView(flow), created }),
});
