import * as z from 'zod/mini';
import { toConnectSessionView } from '../../shared/domain/connect-session.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema, credentialIdSchema, nameSchema } from '../../shared/lambda/schema.ts';
import { startConnect } from '../../shared/use-cases/connect.ts';

export const CreateConnectSessionBody = z.strictObject({
  componentId: componentIdSchema,
  name: z.optional(nameSchema),
  credentialId: z.optional(credentialIdSchema),
  scopes: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(50))),
  returnUrl: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export const CreateConnectSessionInput = z.strictObject({ body: CreateConnectSessionBody });

export const createConnectSessionOperation = defineOperation({
  name: 'createConnectSession',
  scope: 'credentials:write',
  input: CreateConnectSessionInput,
  fromHttp: (request) => ({ body: request.body }),
  execute: (deps: PortsOf<typeof startConnect>, actor, input) => startConnect(deps, actor, input.body),
  toHttp: ({ session, authorizationUrl }) =>
    json(
      201,
      { ...toConnectSessionView(session), authorizationUrl },
      { location: `/connect-sessions/${session.sessionId}` },
    ),
  toDirect: ({ session, authorizationUrl }) => ({ ...toConnectSessionView(session), authorizationUrl }),
});
