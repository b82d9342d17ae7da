import { randomUUID } from 'node:crypto';
import type { Actor } from '../domain/actor.ts';
import type { ComponentDefinition } from '../domain/component.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { type OAuthApp, oauthAppSecretId } from '../domain/oauth-app.ts';
import { acceptedVersions, type VersionCondition, versionSatisfies } from '../domain/version-condition.ts';
import { AppError, notFound, validationFailed } from '../errors/app-error.ts';
import { describeError } from '../errors/describe-error.ts';
import type { TokenClient } from '../ports/token-refresher.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

type AppDependencies = Pick<UseCaseDependencies, 'components' | 'oauthApps' | 'secrets' | 'clock'>;

export interface PutOAuthAppInput {
  readonly componentId: string;
  readonly clientId: string;
  /** Required when the app is registered; afterwards, sent only to replace it. */
  readonly clientSecret?: string;
  readonly scopes?: readonly string[] | null;
  readonly expectedVersion?: VersionCondition;
}

/** Only components whose provider is fixed by their descriptor take a tenant app. */
const providerComponent = (deps: Pick<UseCaseDependencies, 'components'>, componentId: string) => {
  const component = deps.components.get(componentId);
  if (!component.provider) {
    throw validationFailed([
      {
        path: 'componentId',
        message: `component '${componentId}' has no OAuth2 provider to register an app with`,
      },
    ]);
  }
  return component as ComponentDefinition & { provider: NonNullable<ComponentDefinition['provider']> };
};

const staleVersion = (currentVersion: number) =>
  new AppError('version_mismatch', 'The OAuth app changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion },
  });

/**
 * The client secret of an app registered (again): a secret left by an earlier registration is
 * reused, and one still in its recovery window after the app was deleted is restored first (AWS
 * refuses to create a secret under a name scheduled for deletion).
 */
const registeredSecret = async (
  deps: AppDependencies,
  address: { tenantId: string; credentialId: string },
  values: FieldValues,
): Promise<string> => {
  const described = await deps.secrets.describe(address);
  if (!described) return deps.secrets.create(address, values, randomUUID());
  if (described.deleted) await deps.secrets.restore(address);
  return deps.secrets.putVersion(address, values, randomUUID());
};

/**
 * Registers or replaces the tenant's OAuth client for a component. The client secret goes to
 * Secrets Manager first; the item records which version is current, so a write that loses its
 * race leaves an unreferenced version (or, on a first registration, a secret the sweeper removes).
 */
export const putOAuthApp = async (
  deps: AppDependencies,
  actor: Actor,
  input: PutOAuthAppInput,
): Promise<{ app: OAuthApp; created: boolean }> => {
  providerComponent(deps, input.componentId);
  const current = await deps.oauthApps.get(actor.tenantId, input.componentId);
  if (input.expectedVersion !== undefined && !versionSatisfies(input.expectedVersion, current?.version)) {
    throw staleVersion(current?.version ?? 0);
  }
  if (!current && input.clientSecret === undefined) {
    throw validationFailed([
      { path: 'body.clientSecret', message: 'is required when the app is registered' },
    ]);
  }
  const address = { tenantId: actor.tenantId, credentialId: oauthAppSecretId(input.componentId) };
  let secretVersionId = current?.secretVersionId;
  if (input.clientSecret !== undefined) {
    const values = { clientSecret: input.clientSecret };
    secretVersionId = current
      ? await deps.secrets.putVersion(address, values, randomUUID())
      : await registeredSecret(deps, address, values);
  }
  const now = deps.clock.now().toISOString();
  const app: OAuthApp = {
    tenantId: actor.tenantId,
    componentId: input.componentId,
    clientId: input.clientId,
    scopes: input.scopes === undefined ? (current?.scopes ?? null) : input.scopes,
    secretFieldsSet: ['clientSecret'],
    secretVersionId: secretVersionId ?? '',
    version: (current?.version ?? 0) + 1,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
    updatedBy: actor.subject,
  };
  return { app: await deps.oauthApps.put(app, current?.version), created: !current };
};

export const getOAuthApp = async (
  deps: Pick<UseCaseDependencies, 'oauthApps'>,
  actor: Actor,
  componentId: string,
): Promise<OAuthApp> => {
  const app = await deps.oauthApps.get(actor.tenantId, componentId);
  if (!app) throw notFound('OAuth app');
  return app;
};

export const listOAuthApps = (deps: Pick<UseCaseDependencies, 'oauthApps'>, actor: Actor) =>
  deps.oauthApps.list(actor.tenantId);

/** Refused while credentials of the component exist: their refreshes use this app's client. */
export const deleteOAuthApp = async (
  deps: Pick<UseCaseDependencies, 'oauthApps' | 'secrets' | 'logger'>,
  actor: Actor,
  input: { componentId: string; expectedVersion?: VersionCondition },
): Promise<void> => {
  const accepted = input.expectedVersion === undefined ? undefined : acceptedVersions(input.expectedVersion);
  if (accepted?.length === 0) throw staleVersion((await getOAuthApp(deps, actor, input.componentId)).version);
  await deps.oauthApps.delete(actor.tenantId, input.componentId, accepted);
  try {
    await deps.secrets.scheduleDeletion({
      tenantId: actor.tenantId,
      credentialId: oauthAppSecretId(input.componentId),
    });
  } catch (error) {
    // The app item is gone: the sweeper schedules the deletion of its secret on its next run.
    deps.logger.warn('OAuth app secret left for the sweeper', {
      componentId: input.componentId,
      ...describeError(error),
    });
  }
};

/**
 * The token client of a provider component: its token URL from the descriptor, the client from
 * the tenant's app. Secrets never go anywhere the descriptor does not name.
 */
export const providerTokenClient = async (
  deps: Pick<UseCaseDependencies, 'oauthApps' | 'secrets'>,
  tenantId: string,
  component: ComponentDefinition,
): Promise<TokenClient & { scopes: readonly string[] | null }> => {
  const provider = component.provider;
  if (!provider) throw new AppError('internal', `Component '${component.id}' has no provider.`);
  const app = await deps.oauthApps.get(tenantId, component.id);
  if (!app) {
    throw new AppError(
      'oauth_app_missing',
      `No OAuth app is registered for '${component.id}': PUT /oauth-apps/${component.id} first.`,
      { extensions: { componentId: component.id } },
    );
  }
  const secret = await deps.secrets.read(
    { tenantId, credentialId: oauthAppSecretId(component.id) },
    app.secretVersionId,
  );
  return {
    tokenUrl: provider.tokenUrl,
    clientId: app.clientId,
    clientSecret: String(secret.values.clientSecret ?? ''),
    authMethod: provider.tokenEndpointAuthMethod ?? 'client_secret_basic',
    scopes: app.scopes,
  };
};

/** A credential's values with what presenting its refresh token at its provider needs. */
export const withProviderClient = async (
  deps: Pick<UseCaseDependencies, 'oauthApps' | 'secrets'>,
  tenantId: string,
  component: ComponentDefinition,
  values: FieldValues,
): Promise<FieldValues> => {
  const client = await providerTokenClient(deps, tenantId, component);
  return {
    ...values,
    tokenUrl: client.tokenUrl,
    clientId: client.clientId,
    ...(client.clientSecret ? { clientSecret: client.clientSecret } : {}),
    tokenEndpointAuthMethod: client.authMethod ?? 'client_secret_basic',
  };
};
