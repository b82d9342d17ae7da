/**
 * A tenant's own OAuth client at a provider (what elastic.io calls an auth client). The client
 * secret lives in Secrets Manager beside the credentials' secrets and is never read back.
 */
export interface OAuthApp {
  readonly tenantId: string;
  readonly componentId: string;
  readonly clientId: string;
  /** Scopes to ask for instead of the component's defaults; null for the defaults. */
  readonly scopes: readonly string[] | null;
  readonly secretFieldsSet: readonly string[];
  readonly secretVersionId: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** Where the app's client secret is kept: an address no credential id can take (ids are ULIDs). */
export const oauthAppSecretId = (componentId: string): string => `oauth-app.${componentId}`;

export const componentOfAppSecret = (secretId: string): string | undefined =>
  /^oauth-app\.([a-z][a-z0-9-]{1,39})$/.exec(secretId)?.[1];

export const toOAuthAppView = (app: OAuthApp, redirectUri: string | undefined) => ({
  componentId: app.componentId,
  clientId: app.clientId,
  scopes: app.scopes,
  secretFieldsSet: app.secretFieldsSet,
  /** The callback URL to register at the provider. */
  redirectUri: redirectUri ?? null,
  version: app.version,
  createdAt: app.createdAt,
  updatedAt: app.updatedAt,
  updatedBy: app.updatedBy,
});
export type OAuthAppView = ReturnType<typeof toOAuthAppView>;
