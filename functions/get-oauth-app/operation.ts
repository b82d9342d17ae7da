import * as z from 'zod/mini';
import { toOAuthAppView } from '../../shared/domain/oauth-app.ts';
import { etag } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema } from '../../shared/lambda/schema.ts';
import { getOAuthApp } from '../../shared/use-cases/oauth-apps.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';

export const GetOAuthAppInput = z.strictObject({ componentId: componentIdSchema });

export const getOAuthAppOperation = defineOperation({
  name: 'getOAuthApp',
  scope: 'credentials:read',
  input: GetOAuthAppInput,
  fromHttp: (request) => ({ componentId: request.pathParameters.componentId }),
  execute: async (
    deps: PortsOf<typeof getOAuthApp> & Pick<UseCaseDependencies, 'connect'>,
    actor,
    input,
  ) => ({
    app: await getOAuthApp(deps, actor, input.componentId),
    redirectUri: deps.connect.callbackUrl,
  }),
  toHttp: ({ app, redirectUri }) => json(200, toOAuthAppView(app, redirectUri), { etag: etag(app.version) }),
  toDirect: ({ app, redirectUri }) => toOAuthAppView(app, redirectUri),
});
