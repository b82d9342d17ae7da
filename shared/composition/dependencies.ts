import { monotonicFactory } from 'ulid';
import { dynamoDbConnectSessionRepository } from '../adapters/dynamodb/dynamodb-connect-session-repository.ts';
import { dynamoDbCredentialRepository } from '../adapters/dynamodb/dynamodb-credential-repository.ts';
import { dynamoDbFlowRepository } from '../adapters/dynamodb/dynamodb-flow-repository.ts';
import { dynamoDbOAuthAppRepository } from '../adapters/dynamodb/dynamodb-oauth-app-repository.ts';
import { dynamoDbRefreshLease } from '../adapters/dynamodb/dynamodb-refresh-lease.ts';
import { secretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import { trustedComponentRegistry } from '../components/trusted.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { AUDIT_RETENTION_DAYS } from '../domain/audit.ts';
import { type ComponentCatalog, componentCatalog } from '../domain/component-catalog.ts';
import { DEFAULT_REFRESH_SETTINGS, type RefreshSettings } from '../domain/refresh-timing.ts';
import { AppError } from '../errors/app-error.ts';
import { systemClock } from '../ports/clock.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';
import { jsonLogger, type Logger } from '../ports/logger.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';
import { clientTokenCache } from '../use-cases/client-token-cache.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';

export interface DependencyOverrides {
  /** A catalog already validated (the tests, npm start); Lambda loads the bundled, synth-checked one. */
  readonly components?: ComponentCatalog;
  readonly clients?: AwsClients;
  readonly logger?: Logger;
  readonly verifier?: CredentialVerifier;
  readonly tokens?: TokenRefresher;
}

/** The token call shares verification's timeout setting; the rest is derived from it. */
const refreshSettingsFrom = (config: ServiceConfig): RefreshSettings => ({
  ...DEFAULT_REFRESH_SETTINGS,
  tokenTimeoutMs: config.verificationTimeoutMs,
});

/**
 * What functions that never verify get: the verifier adapters (the PostgreSQL driver above all)
 * stay out of their bundles and their cold start. Verifying functions compose a real one
 * (`runtimeVerifyingDependencies`).
 */
const verificationUnavailable: CredentialVerifier = {
  verify: () => Promise.reject(new AppError('internal', 'This function does not verify credentials.')),
};

const noTokens = () =>
  Promise.reject(new AppError('internal', 'This function does not call token endpoints.'));
const tokensUnavailable: TokenRefresher = {
  exchange: noTokens,
  exchangeCode: noTokens,
  clientCredentials: noTokens,
};

/** The composition root: the only place that picks adapters for ports. */
export const buildDependencies = (
  config: ServiceConfig,
  overrides: DependencyOverrides = {},
): UseCaseDependencies => {
  const clients = overrides.clients ?? createAwsClients(config);
  const logger = overrides.logger ?? jsonLogger('credentials-service');
  const nextUlid = monotonicFactory();
  const refresh = refreshSettingsFrom(config);
  const onCorruptItem = (itemKey: { PK: string; SK: string }) =>
    logger.warn('skipped a malformed item', { code: 'corrupt_item', key: itemKey });
  return {
    components:
      overrides.components ??
      componentCatalog(
        trustedComponentRegistry({
          petstoreBaseUrl: config.petstoreBaseUrl,
          demoOAuth2BaseUrl: config.demoOAuth2BaseUrl,
        }),
      ),
    credentials: dynamoDbCredentialRepository(clients.dynamoDb, config.tableName, undefined, onCorruptItem),
    flows: dynamoDbFlowRepository(clients.dynamoDb, config.tableName, onCorruptItem),
    secrets: secretsManagerSecretStore(clients.secretsManager, {
      prefix: config.secretPrefix,
      recoveryWindowDays: config.secretRecoveryWindowDays,
      kmsKeyId: config.kmsKeyId,
    }),
    verifier: overrides.verifier ?? verificationUnavailable,
    leases: dynamoDbRefreshLease(clients.dynamoDb, config.tableName, AUDIT_RETENTION_DAYS),
    tokens: overrides.tokens ?? tokensUnavailable,
    refresh,
    clock: systemClock,
    ids: { next: () => nextUlid() },
    logger,
    tenantScope: config.tenantId,
    scopePrefix: config.scopePrefix,
    oauthApps: dynamoDbOAuthAppRepository(clients.dynamoDb, config.tableName),
    connectSessions: dynamoDbConnectSessionRepository(clients.dynamoDb, config.tableName),
    connect: {
      ...(config.connectCallbackUrl ? { callbackUrl: config.connectCallbackUrl } : {}),
      returnUrls: config.connectReturnUrls,
    },
    clientTokens: clientTokenCache(),
  };
};
