import * as z from 'zod/mini';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema } from '../../shared/lambda/schema.ts';
import { getComponent } from '../../shared/use-cases/list-components.ts';

export const GetComponentInput = z.strictObject({ componentId: componentIdSchema });

export const getComponentOperation = defineOperation({
  name: 'getComponent',
  scope: 'credentials:read',
  input: GetComponentInput,
  fromHttp: (request) => ({ componentId: request.pathParameters.componentId }),
  execute: (deps: PortsOf<typeof getComponent>, actor, input) => getComponent(deps, actor, input.componentId),
  toHttp: (component) => json(200, component),
});
