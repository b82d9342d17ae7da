import { monotonicFactory } from 'ulid';
import { dynamoDbCredentialRepository } from '../adapters/dynamodb/dynamodb-credential-repository.ts';
import { dynamoDbFlowRepository } from '../adapters/dynamodb/dynamodb-flow-repository.ts';
import { dynamoDbRefreshLease } from '../adapters/dynamodb/dynamodb-refresh-lease.ts';
import { secretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import { guardedTokenRefresher } from '../adapters/verification/oauth2-token-client.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { AUDIT_RETENTION_DAYS } from '../domain/audit.ts';
import { componentCatalog } from '../domain/component-catalog.ts';
import { buildComponentRegistry } from '../domain/component-registry.ts';
import { DEFAULT_REFRESH_SETTINGS, type RefreshSettings } from '../domain/refresh-timing.ts';
import { systemClock } from '../ports/clock.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';
import { jsonLogger, type Logger } from '../ports/logger.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import { createCredentialVerifier } from './credential-verifier.ts';

export interface DependencyOverrides {
  readonly clients?: AwsClients;
  readonly logger?: Logger;
  readonly verifier?: CredentialVerifier;
}

/** The token call shares verification's timeout setting; the rest is derived from it. */
const refreshSettingsFrom = (config: ServiceConfig): RefreshSettings => ({
  ...DEFAULT_REFRESH_SETTINGS,
  tokenTimeoutMs: config.verificationTimeoutMs,
});

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
    components: componentCatalog(buildComponentRegistry({ petstoreBaseUrl: config.petstoreBaseUrl })),
    credentials: dynamoDbCredentialRepository(clients.dynamoDb, config.tableName, undefined, onCorruptItem),
    flows: dynamoDbFlowRepository(clients.dynamoDb, config.tableName, onCorruptItem),
    secrets: secretsManagerSecretStore(clients.secretsManager, {
      prefix: config.secretPrefix,
      recoveryWindowDays: config.secretRecoveryWindowDays,
      kmsKeyId: config.kmsKeyId,
    }),
    verifier: overrides.verifier ?? createCredentialVerifier(config),
    leases: dynamoDbRefreshLease(clients.dynamoDb, config.tableName, AUDIT_RETENTION_DAYS),
    tokens: guardedTokenRefresher({
      allowedHosts: config.verificationAllowedHosts,
      timeoutMs: refresh.tokenTimeoutMs,
      maxResponseBytes: 64 * 1024,
      // A token endpoint that redirects is misconfigured; a refresh token never follows a redirect.
      maxRedirects: 0,
    }),
    refresh,
    clock: systemClock,
    ids: { next: () => nextUlid() },
    logger,
    tenantScope: config.tenantId,
  };
};
