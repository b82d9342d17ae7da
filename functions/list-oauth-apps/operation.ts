import * as z from 'zod/mini';
import { toOAuthAppView } from '../../shared/domain/oauth-app.ts';
import { json } from '../../shared/lambda/http-response.ts';
import { defineOperation, type PortsOf } from '../../shared/lambda/operation.ts';
import { listOAuthApps } from '../../shared/use-cases/oauth-apps.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';

export const ListOAuthAppsInput = z.strictObject({});

export const listOAuthAppsOperation = defineOperation({
  name: 'listOAuthApps',
  scope: 'credentials:read',
  input: ListOAuthAppsInput,
  fromHttp: (request) => request.query,
  execute: async (deps: PortsOf<typeof listOAuthApps> & Pick<UseCaseDependencies, 'connect'>, actor) => ({
    apps: await listOAuthApps(deps, actor),
    redirectUri: deps.connect.callbackUrl,
  }),
  toHttp: ({ apps, redirectUri }) =>
    json(200, { items: apps.map((app) => toOAuthAppView(app, redirectUri)) }),
  toDirect: ({ apps, redirectUri }) => ({ items: apps.map((app) => toOAuthAppView(app, redirectUri)) }),
});
