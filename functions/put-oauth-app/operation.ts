import * as z from 'zod/mini';
import { toOAuthAppView } from '../../shared/domain/oauth-app.ts';
import { etag, ifMatchVersion } from '../../shared/lambda/http-request.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { componentIdSchema, versionConditionSchema } from '../../shared/lambda/schema.ts';
import { putOAuthApp } from '../../shared/use-cases/oauth-apps.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';

export const PutOAuthAppBody = z.strictObject({
  clientId: z.string().check(z.minLength(1), z.maxLength(512)),
  clientSecret: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
  scopes: z.optional(
    z.nullable(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(50))),
  ),
});

export const PutOAuthAppInput = z.strictObject({
  componentId: componentIdSchema,
  expectedVersion: z.optional(versionConditionSchema),
  body: PutOAuthAppBody,
});

export const putOAuthAppOperation = defineOperation({
  name: 'putOAuthApp',
  scope: 'credentials:write',
  input: PutOAuthAppInput,
  fromHttp: (request) => ({
    componentId: request.pathParameters.componentId,
    expectedVersion: ifMatchVersion(request),
    body: request.body,
  }),
  execute: async (
    deps: PortsOf<typeof putOAuthApp> & Pick<UseCaseDependencies, 'connect'>,
    actor,
    input,
  ) => ({
    ...(await putOAuthApp(deps, actor, {
      componentId: input.componentId,
      ...input.body,
      ...(input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion }),
    })),
    redirectUri: deps.connect.callbackUrl,
  }),
  toHttp: ({ app, created, redirectUri }) =>
    json(created ? 201 : 200, toOAuthAppView(app, redirectUri), {
      etag: etag(app.version),
      ...(created ? { location: `/oauth-apps/${app.componentId}` } : {}),
    }),
  toDirect: ({ app, created, redirectUri }) => ({ app: toOAuthAppView(app, redirectUri), created }),
});
