import * as z from 'zod/mini';
import { toConnectSessionView } from '../../shared/domain/connect-session.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { getConnectSession } from '../../shared/use-cases/connect.ts';

export const GetConnectSessionInput = z.strictObject({
  sessionId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be a session id')),
});

export const getConnectSessionOperation = defineOperation({
  name: 'getConnectSession',
  scope: 'credentials:read',
  input: GetConnectSessionInput,
  fromHttp: (request) => ({ sessionId: request.pathParameters.sessionId }),
  execute: (deps: PortsOf<typeof getConnectSession>, actor, input) =>
    getConnectSession(deps, actor, input.sessionId),
  toHttp: (session) => json(200, toConnectSessionView(session)),
  toDirect: toConnectSessionView,
});
