import { Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../shared/domain/actor.ts';

z.config(z.locales.en());

/** The only values CloudWatch Logs accepts for a log group's retention. */
export const LOG_RETENTION_DAYS = Object.values(logs.RetentionDays).filter(
  (value): value is number => typeof value === 'number' && value !== logs.RetentionDays.INFINITE,
);
/** CloudWatch's limit on the actions of one alarm state (PutMetricAlarm's AlarmActions). */
export const MAX_ALARM_ACTIONS = 5;

const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/, 'must be an IAM role ARN'));

/**
 * The settings a tenant's deployment takes, one schema for both ways in: an entry of cdk.json and
 * the props of the construct a CDK app creates. Both refuse the same values with the same words.
 */
export const SERVICE_SETTINGS = {
  jwtIssuer: z.url(),
  jwtAudience: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  /** Put before each route scope, for providers that qualify scopes (Cognito: `<resource server>/`). */
  scopePrefix: z
    .string()
    .check(z.regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 printable characters without spaces')),
  /** Where a finished OAuth2 connect may send the browser: https URL prefixes (origin and path). */
  connectReturnUrls: z.array(z.url({ protocol: /^https$/ })),
  /** Workflow roles: may invoke resolve and the proxy, nothing else. */
  resolveInvokerArns: z.array(roleArn),
  /** Automation roles: may invoke the management functions directly, without the JWT authorizer. */
  managementInvokerArns: z.array(roleArn),
  verificationAllowedHosts: z.array(
    z.string().check(z.regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port')),
  ),
  logRetentionDays: z.int().check(
    z.refine((days: number) => LOG_RETENTION_DAYS.includes(days), {
      message: `must be one of the values CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
    }),
  ),
  secretRecoveryWindowDays: z.int().check(z.gte(7), z.lte(30)),
  petstoreBaseUrl: z.url({ protocol: /^https?$/ }),
  /** AWS X-Ray active tracing on every function. */
  tracing: z.boolean(),
  /** Hours between scheduled re-verifications of a healthy credential (at most 90 days). */
  reverifyIntervalHours: z.int().check(z.gte(1), z.lte(2160)),
  /**
   * Secrets Manager writes a second this deployment's early refreshes may take: the account and
   * Region share 50 (PutSecretValue, UpdateSecret, UpdateSecretVersionStage, not adjustable).
   */
  secretWritesPerSecond: z.int().check(z.gte(1), z.lte(50)),
} as const;

/** The construct's own names for the shared settings; a CDK app passes typed values. */
const ConstructProps = z.object({
  tenantId: z.string().check(z.regex(TENANT_ID_PATTERN, 'must be 1-64 letters, digits, _ or -')),
  jwtIssuer: SERVICE_SETTINGS.jwtIssuer,
  jwtAudience: SERVICE_SETTINGS.jwtAudience,
  scopePrefix: z.optional(SERVICE_SETTINGS.scopePrefix),
  connectReturnUrls: z.optional(SERVICE_SETTINGS.connectReturnUrls),
  resolveInvokerArns: z.optional(SERVICE_SETTINGS.resolveInvokerArns),
  managementInvokerArns: z.optional(SERVICE_SETTINGS.managementInvokerArns),
  verificationAllowedHosts: z.optional(SERVICE_SETTINGS.verificationAllowedHosts),
  // A CDK app may also keep logs forever, which cdk.json does not offer.
  logRetention: z.optional(
    z.int().check(
      z.refine((days: number) => days === logs.RetentionDays.INFINITE || LOG_RETENTION_DAYS.includes(days), {
        message: `must be a logs.RetentionDays value (${LOG_RETENTION_DAYS.join(', ')} days, or INFINITE)`,
      }),
    ),
  ),
  secretRecoveryWindowDays: z.optional(SERVICE_SETTINGS.secretRecoveryWindowDays),
  petstoreBaseUrl: z.optional(SERVICE_SETTINGS.petstoreBaseUrl),
  tracing: z.optional(SERVICE_SETTINGS.tracing),
  reverifyIntervalHours: z.optional(SERVICE_SETTINGS.reverifyIntervalHours),
  secretWritesPerSecond: z.optional(SERVICE_SETTINGS.secretWritesPerSecond),
  alarmActions: z.optional(
    z
      .array(z.unknown())
      .check(
        z.maxLength(MAX_ALARM_ACTIONS, `CloudWatch takes at most ${MAX_ALARM_ACTIONS} actions per alarm`),
      ),
  ),
});

/** A value CDK resolves only at deploy (a parameter, an import), which synthesis cannot check. */
const isToken = (value: unknown): boolean =>
  (typeof value === 'string' || typeof value === 'number' ? Token.isUnresolved(value) : false) ||
  (Array.isArray(value) && value.some(isToken));

/** Refuses at synthesis, naming the prop, what CloudFormation or the service would refuse later. */
export const checkServiceProps = (props: object): void => {
  const given = props as Record<string, unknown>;
  const tokens = new Set(Object.keys(given).filter((name) => isToken(given[name])));
  const result = z.safeParse(ConstructProps, given);
  const issues = result.success
    ? []
    : result.error.issues.filter((issue) => !tokens.has(String(issue.path[0])));
  if (issues.length > 0)
    throw new Error(
      `Invalid CredentialsService props:\n${issues
        .map((issue) => `  ${issue.path.map(String).join('.')}: ${issue.message}`)
        .join('\n')}`,
    );
};
