import { DEFAULT_COMPONENT_SETTINGS } from '../components/descriptors.ts';
import { DEFAULT_REFRESH_SETTINGS } from '../domain/refresh-timing.ts';

/** A verification request's and a token call's timeout unless the deployment sets another. */
export const DEFAULT_VERIFICATION_TIMEOUT_MS = 5000;

/** Everything the functions read from the environment, read once; a missing value fails fast. */
export interface ServiceConfig {
  readonly region: string;
  /**
   * The one tenant a per-tenant deployment serves. When set, requests and events naming any other
   * tenant are refused before any AWS call. Unset locally, where one process serves many tenants.
   */
  readonly tenantId?: string;
  readonly tableName: string;
  readonly secretPrefix: string;
  readonly secretRecoveryWindowDays: number;
  readonly kmsKeyId?: string;
  readonly dynamoDbEndpoint?: string;
  readonly secretsManagerEndpoint?: string;
  readonly petstoreBaseUrl: string;
  /** Where the local demo OAuth2 provider runs; unset in AWS, which leaves the demo components out. */
  readonly demoOAuth2BaseUrl?: string;
  /** Hosts verification may reach even when they resolve to non-public addresses. */
  readonly verificationAllowedHosts: readonly string[];
  readonly verificationTimeoutMs: number;
  /** How long a refresh waits for another holder before answering 503 (shorter behind HTTP). */
  readonly refreshLeaseWaitMs: number;
  /**
   * Prepended to every scope a route needs, for identity providers that qualify scopes (Amazon
   * Cognito: `<resource server>/credentials:read`). Empty by default.
   */
  readonly scopePrefix: string;
  /** `<API>/oauth2/callback`, the redirect URI tenants register at providers; unset: no connect. */
  readonly connectCallbackUrl?: string;
  /** URL prefixes a connect session's `returnUrl` must start with. */
  readonly connectReturnUrls: readonly string[];
  /** How long after a check a healthy credential is re-verified by the schedule. @default 24 h */
  readonly reverifyIntervalSeconds: number;
  /** Refreshes that write a Secrets Manager version in any one second (the account shares 50). */
  readonly secretWritesPerSecond: number;
}

type Environment = Record<string, string | undefined>;

const required = (env: Environment, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`Environment variable ${name} is required.`);
  return value;
};

const integer = (env: Environment, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name} must be an integer from ${min} to ${max}.`);
  }
  return value;
};

export const loadServiceConfig = (env: Environment = process.env): ServiceConfig => ({
  region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
  tenantId: env.TENANT_ID || undefined,
  tableName: required(env, 'TABLE_NAME'),
  secretPrefix: env.SECRET_PREFIX || 'credentials',
  // Secrets Manager accepts 7 to 30 days.
  secretRecoveryWindowDays: integer(env, 'SECRET_RECOVERY_WINDOW_DAYS', 7, 7, 30),
  kmsKeyId: env.KMS_KEY_ID || undefined,
  dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
  secretsManagerEndpoint: env.SECRETS_MANAGER_ENDPOINT || undefined,
  petstoreBaseUrl: env.PETSTORE_BASE_URL || (DEFAULT_COMPONENT_SETTINGS.petstoreBaseUrl as string),
  demoOAuth2BaseUrl: env.DEMO_OAUTH2_BASE_URL || undefined,
  verificationAllowedHosts: (env.VERIFICATION_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter(Boolean),
  reverifyIntervalSeconds: integer(env, 'REVERIFY_INTERVAL_SECONDS', 86_400, 1, 90 * 86_400),
  secretWritesPerSecond: integer(
    env,
    'SECRET_WRITES_PER_SECOND',
    DEFAULT_REFRESH_SETTINGS.secretWritesPerSecond,
    1,
    50,
  ),
  verificationTimeoutMs: integer(
    env,
    'VERIFICATION_TIMEOUT_MS',
    DEFAULT_VERIFICATION_TIMEOUT_MS,
    100,
    20_000,
  ),
  refreshLeaseWaitMs: integer(
    env,
    'REFRESH_LEASE_WAIT_MS',
    DEFAULT_REFRESH_SETTINGS.leaseWaitMs,
    0,
    DEFAULT_REFRESH_SETTINGS.leaseWaitMs,
  ),
  scopePrefix: env.SCOPE_PREFIX ?? '',
  connectCallbackUrl: env.CONNECT_CALLBACK_URL || undefined,
  connectReturnUrls: (env.CONNECT_RETURN_URLS ?? '')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean),
});
