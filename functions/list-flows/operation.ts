import * as z from 'zod/mini';
import { toFlowView } from '../../shared/domain/flow.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { cursorSchema, limitSchema } from '../../shared/lambda/schema.ts';
import { listFlows } from '../../shared/use-cases/flow-queries.ts';

export const ListFlowsInput = z.strictObject({ limit: limitSchema, cursor: cursorSchema });

export const listFlowsOperation = defineOperation({
  name: 'listFlows',
  scope: 'flows:read',
  input: ListFlowsInput,
  fromHttp: (request) => request.query,
  execute: (deps: PortsOf<typeof listFlows>, actor, input) =>
    listFlows(deps, actor, { ...input, limit: input.limit ?? 20 }),
  toHttp: (page) => json(200, { items: page.items.map(toFlowView), nextCursor: page.nextCursor }),
  toDirect: (page) => ({ items: page.items.map(toFlowView), nextCursor: page.nextCursor }),
});
