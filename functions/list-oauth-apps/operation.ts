import * as z from 'zod/mini';
import { toOAuthAppView } from '../../shared/domain/oauth-app.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation } from '../../shared/lambda/operation.ts';
import { listOAuthApps } from '../../shared/use-cases/oauth-apps.ts';

export const ListOAuthAppsInput = z.strictObject({});

export const listOAuthAppsOperation = defineOperation({
  name: 'listOAuthApps',
  scope: 'credentials:read',
  input: ListOAuthAppsInput,
  fromHttp: (request) => request.query,
  execute: async (deps, actor) => ({
    apps: await listOAuthApps(deps, actor),
    redirectUri: deps.connect.callbackUrl,
  }),
  toHttp: ({ apps, redirectUri }) =>
    json(200, { items: apps.map((app) => toOAuthAppView(app, redirectUri)) }),
  toDirect: ({ apps, redirectUri }) => ({ items: apps.map((app) => toOAuthAppView(app, redirectUri)) }),
});
