import type { ComponentCatalog } from '../domain/component-catalog.ts';
import type { HealthSchedule } from '../domain/health-schedule.ts';
import type { RefreshSettings } from '../domain/refresh-timing.ts';
import type { Clock } from '../ports/clock.ts';
import type { ConnectSessionRepository } from '../ports/connect-session-repository.ts';
import type { CredentialReads, CredentialRepository } from '../ports/credential-repository.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';
import type { FlowRepository } from '../ports/flow-repository.ts';
import type { IdGenerator } from '../ports/id-generator.ts';
import type { Logger } from '../ports/logger.ts';
import type { Metrics } from '../ports/metrics.ts';
import type { OAuthAppRepository } from '../ports/oauth-app-repository.ts';
import type { RefreshLease } from '../ports/refresh-lease.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { TokenRefresher } from '../ports/token-refresher.ts';
import type { ClientTokenCache } from './client-token-cache.ts';

/** The ports use cases depend on. Adapters are chosen by the composition root, never here. */
/** The connect flow's deployment settings. */
export interface ConnectSettings {
  /** The callback URL registered at providers (`<API>/oauth2/callback`); unset: connect is off. */
  readonly callbackUrl?: string;
  /** Where a finished connect may send the browser: URL prefixes (origin and path) from the config. */
  readonly returnUrls: readonly string[];
}

export interface UseCaseDependencies {
  readonly components: ComponentCatalog;
  readonly oauthApps: OAuthAppRepository;
  readonly connectSessions: ConnectSessionRepository;
  readonly connect: ConnectSettings;
  /** Client-credentials access tokens, in memory only, until they expire. */
  readonly clientTokens: ClientTokenCache;
  readonly credentials: CredentialRepository;
  readonly flows: FlowRepository;
  readonly secrets: SecretStore;
  readonly verifier: CredentialVerifier;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly logger: Logger;
  /** The OAuth2 single-flight refresh: its lease, the token endpoint client and its timing. */
  readonly leases: RefreshLease;
  readonly tokens: TokenRefresher;
  readonly refresh: RefreshSettings;
  /** When the scheduled re-verification checks a credential again. */
  readonly health: HealthSchedule;
  /** Outcome counts for alarms (embedded metric format in Lambda); absent locally. */
  readonly metrics?: Metrics;
  /** Set in a per-tenant deployment: the only tenant this service may act for. */
  readonly tenantScope?: string;
  /** What the deployment's identity provider puts before each scope name (see ServiceConfig). */
  readonly scopePrefix?: string;
}

/** What the Lambda glue itself reads, besides the ports an operation uses. */
export type HandlerDependencies = Pick<
  UseCaseDependencies,
  'logger' | 'metrics' | 'tenantScope' | 'scopePrefix'
>;

/**
 * What a use case that only reads credentials takes: their reads (no write, so its function bundles
 * none of the writes' transactions), and the other ports it names.
 */
export type ReadingDependencies<Others extends keyof UseCaseDependencies = never> = Pick<
  UseCaseDependencies,
  Others
> & { readonly credentials: CredentialReads };
