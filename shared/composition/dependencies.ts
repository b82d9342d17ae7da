import { systemClock } from '../adapters/clock/system-clock.ts';
import { jsonLogger } from '../adapters/logging/json-logger.ts';
import type { ServiceConfig } from '../config/service-config.ts';
import type { ComponentCatalog } from '../domain/component-catalog.ts';
import { AppError } from '../errors/app-error.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';
import type { Logger } from '../ports/logger.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';
import { clientTokenCache } from '../use-cases/client-token-cache.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { type AwsClients, createAwsClients } from './aws-clients.ts';
import {
  connectSessionRepository,
  connectSettings,
  credentialRepository,
  flowRepository,
  healthSchedule,
  idGenerator,
  oauthAppRepository,
  refreshLease,
  refreshSettingsFrom,
  secretStore,
  trustedComponents,
} from './ports.ts';

export interface DependencyOverrides {
  /** A catalog already validated (the tests, npm start); Lambda loads the bundled, synth-checked one. */
  readonly components?: ComponentCatalog;
  readonly clients?: AwsClients;
  readonly logger?: Logger;
  readonly verifier?: CredentialVerifier;
  readonly tokens?: TokenRefresher;
}

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
  revoke: noTokens,
  clientCredentials: noTokens,
};

/** The composition of every port: the embedded service, the tests and the functions that use them all. */
export const buildDependencies = (
  config: ServiceConfig,
  overrides: DependencyOverrides = {},
): UseCaseDependencies => {
  const clients = overrides.clients ?? createAwsClients(config);
  const context = { config, logger: overrides.logger ?? jsonLogger('credentials-service') };
  return {
    components: overrides.components ?? trustedComponents(config),
    credentials: credentialRepository(context, clients.dynamoDb),
    flows: flowRepository(context, clients.dynamoDb),
    secrets: secretStore(context, clients.secretsManager),
    verifier: overrides.verifier ?? verificationUnavailable,
    leases: refreshLease(context, clients.dynamoDb),
    tokens: overrides.tokens ?? tokensUnavailable,
    refresh: refreshSettingsFrom(config),
    health: healthSchedule(config),
    clock: systemClock,
    ids: idGenerator(),
    logger: context.logger,
    tenantScope: config.tenantId,
    scopePrefix: config.scopePrefix,
    oauthApps: oauthAppRepository(context, clients.dynamoDb),
    connectSessions: connectSessionRepository(context, clients.dynamoDb),
    connect: connectSettings(config),
    clientTokens: clientTokenCache(),
  };
};
