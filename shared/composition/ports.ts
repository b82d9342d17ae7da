import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { monotonicFactory } from 'ulid';
import { dynamoDbConnectSessionRepository } from '../adapters/dynamodb/dynamodb-connect-session-repository.ts';
import { dynamoDbCredentialReads } from '../adapters/dynamodb/dynamodb-credential-reads.ts';
import { dynamoDbCredentialRepository } from '../adapters/dynamodb/dynamodb-credential-repository.ts';
import { dynamoDbFlowRepository } from '../adapters/dynamodb/dynamodb-flow-repository.ts';
import { dynamoDbOAuthAppRepository } from '../adapters/dynamodb/dynamodb-oauth-app-repository.ts';
import { dynamoDbRefreshLease } from '../adapters/dynamodb/dynamodb-refresh-lease.ts';
import { secretsManagerSecretStore } from '../adapters/secrets-manager/secrets-manager-secret-store.ts';
import { trustedComponentCatalog } from '../components/trusted.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import { AUDIT_RETENTION_DAYS } from '../domain/audit.ts';
import type { ComponentCatalog } from '../domain/component-catalog.ts';
import type { HealthSchedule } from '../domain/health-schedule.ts';
import { DEFAULT_REFRESH_SETTINGS, type RefreshSettings } from '../domain/refresh-timing.ts';
import type { ConnectSessionRepository } from '../ports/connect-session-repository.ts';
import type { CredentialReads, CredentialRepository } from '../ports/credential-repository.ts';
import type { FlowRepository } from '../ports/flow-repository.ts';
import type { IdGenerator } from '../ports/id-generator.ts';
import type { Logger } from '../ports/logger.ts';
import type { OAuthAppRepository } from '../ports/oauth-app-repository.ts';
import type { RefreshLease } from '../ports/refresh-lease.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { ConnectSettings } from '../use-cases/use-case-dependencies.ts';

/*
 * One factory per port. The full composition (`buildDependencies`) and each Lambda entry build
 * ports through these, so an entry that names only the ports its operation uses bundles only those
 * adapters (esbuild drops the factories nobody calls) and loads nothing else at cold start.
 */

/** What the port factories read: the deployment's settings and where to report malformed items. */
export interface PortContext {
  readonly config: ServiceConfig;
  readonly logger: Logger;
}

const corruptItemWarning =
  (logger: Logger) =>
  (itemKey: { PK: string; SK: string }): void =>
    logger.warn('skipped a malformed item', { code: 'corrupt_item', key: itemKey });

export const credentialRepository = (context: PortContext, dynamoDb: DynamoDBClient): CredentialRepository =>
  dynamoDbCredentialRepository(
    dynamoDb,
    context.config.tableName,
    AUDIT_RETENTION_DAYS,
    corruptItemWarning(context.logger),
  );

/** The credential reads alone, for the functions that only read. */
export const credentialReads = (context: PortContext, dynamoDb: DynamoDBClient): CredentialReads =>
  dynamoDbCredentialReads(dynamoDb, context.config.tableName, corruptItemWarning(context.logger));

export const flowRepository = (context: PortContext, dynamoDb: DynamoDBClient): FlowRepository =>
  dynamoDbFlowRepository(dynamoDb, context.config.tableName, corruptItemWarning(context.logger));

export const oauthAppRepository = (context: PortContext, dynamoDb: DynamoDBClient): OAuthAppRepository =>
  dynamoDbOAuthAppRepository(dynamoDb, context.config.tableName, corruptItemWarning(context.logger));

export const connectSessionRepository = (
  context: PortContext,
  dynamoDb: DynamoDBClient,
): ConnectSessionRepository => dynamoDbConnectSessionRepository(dynamoDb, context.config.tableName);

export const refreshLease = (context: PortContext, dynamoDb: DynamoDBClient): RefreshLease =>
  dynamoDbRefreshLease(dynamoDb, context.config.tableName, AUDIT_RETENTION_DAYS);

export const secretStore = (context: PortContext, secretsManager: SecretsManagerClient): SecretStore =>
  secretsManagerSecretStore(secretsManager, {
    prefix: context.config.secretPrefix,
    recoveryWindowDays: context.config.secretRecoveryWindowDays,
    kmsKeyId: context.config.kmsKeyId,
  });

/**
 * The bundled descriptors, validated at synthesis (Lambda loads them as data, without schema code);
 * each is made into a definition when a request first names it.
 */
export const trustedComponents = (config: ServiceConfig): ComponentCatalog =>
  trustedComponentCatalog({
    petstoreBaseUrl: config.petstoreBaseUrl,
    demoOAuth2BaseUrl: config.demoOAuth2BaseUrl,
  });

/** When the scheduled re-verification checks a credential again. */
export const healthSchedule = (config: ServiceConfig): HealthSchedule => ({
  intervalMs: config.reverifyIntervalSeconds * 1000,
});

export const idGenerator = (): IdGenerator => {
  const nextUlid = monotonicFactory();
  return { next: () => nextUlid() };
};

export const connectSettings = (config: ServiceConfig): ConnectSettings => ({
  ...(config.connectCallbackUrl ? { callbackUrl: config.connectCallbackUrl } : {}),
  returnUrls: config.connectReturnUrls,
});

/** The token call shares verification's timeout setting; the lease is derived from it. */
export const refreshSettingsFrom = (config: ServiceConfig): RefreshSettings => ({
  ...DEFAULT_REFRESH_SETTINGS,
  tokenTimeoutMs: config.verificationTimeoutMs,
  leaseWaitMs: config.refreshLeaseWaitMs,
  secretWritesPerSecond: config.secretWritesPerSecond,
});
