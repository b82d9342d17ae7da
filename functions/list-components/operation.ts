import * as z from 'zod/mini';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { listComponents } from '../../shared/use-cases/list-components.ts';

export const ListComponentsInput = z.strictObject({});

export const listComponentsOperation = defineOperation({
  name: 'listComponents',
  scope: 'credentials:read',
  input: ListComponentsInput,
  fromHttp: () => ({}),
  execute: (deps: PortsOf<typeof listComponents>, actor) => listComponents(deps, actor),
  toHttp: (components) => json(200, { items: components }),
});
