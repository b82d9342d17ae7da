import * as z from 'zod/mini';
import { SERVICE_SETTINGS } from './service-settings.ts';

z.config(z.locales.en());

/**
 * Tenant ids become part of the stack name (`Credentials-<id>`), which CloudFormation limits to
 * letters, digits and hyphens: stricter than the service's own tenant pattern (no `_`).
 */
const STACK_SAFE_ID = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})$/;
/** One entry of the `credentials-service:tenants` context list in cdk.json. */
export const TenantConfig = z
  .strictObject({
    id: z
      .string()
      .check(
        z.regex(
          STACK_SAFE_ID,
          'must be 1-63 letters, digits or hyphens: it is part of the CloudFormation stack name, which allows no other characters',
        ),
      ),
    account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
    region: z.optional(
      z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1')),
    ),
    jwtIssuer: SERVICE_SETTINGS.jwtIssuer,
    jwtAudience: SERVICE_SETTINGS.jwtAudience,
    scopePrefix: z.optional(SERVICE_SETTINGS.scopePrefix),
    /** Deploys the browser console, signing in with `jwtIssuer` as this OpenID Connect client. */
    console: z.optional(
      z.strictObject({
        clientId: z.string().check(z.minLength(1), z.maxLength(256)),
        scope: z.optional(z.string().check(z.minLength(1), z.maxLength(1024))),
        audience: z.optional(z.string().check(z.minLength(1), z.maxLength(512))),
        signInOrigins: z.optional(z.array(z.url({ protocol: /^https$/ }))),
      }),
    ),
    connectReturnUrls: z.optional(SERVICE_SETTINGS.connectReturnUrls),
    resolveInvokerArns: z.optional(SERVICE_SETTINGS.resolveInvokerArns),
    managementInvokerArns: z.optional(SERVICE_SETTINGS.managementInvokerArns),
    verificationAllowedHosts: z.optional(SERVICE_SETTINGS.verificationAllowedHosts),
    logRetentionDays: z.optional(SERVICE_SETTINGS.logRetentionDays),
    secretRecoveryWindowDays: z.optional(SERVICE_SETTINGS.secretRecoveryWindowDays),
    petstoreBaseUrl: z.optional(SERVICE_SETTINGS.petstoreBaseUrl),
    tracing: z.optional(SERVICE_SETTINGS.tracing),
    reverifyIntervalHours: z.optional(SERVICE_SETTINGS.reverifyIntervalHours),
    secretWritesPerSecond: z.optional(SERVICE_SETTINGS.secretWritesPerSecond),
    /** Alarm notifications: an existing SNS topic, or email addresses for a topic the stack creates. */
    alarmTopicArn: z.optional(
      z
        .string()
        .check(
          z.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN'),
        ),
    ),
    alarmEmails: z.optional(z.array(z.email())),
    /** Runs the verifying and refreshing functions in these subnets (to reach in-VPC hosts). */
    vpc: z.optional(
      z.strictObject({
        vpcId: z.string().check(z.regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id')),
        availabilityZones: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
        privateSubnetIds: z
          .array(z.string().check(z.regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id')))
          .check(z.minLength(1)),
        securityGroupIds: z
          .array(z.string().check(z.regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id')))
          .check(z.minLength(1)),
      }),
    ),
  })
  .check(
    z.refine((tenant) => !(tenant.alarmTopicArn && tenant.alarmEmails), {
      message: 'set alarmTopicArn or alarmEmails, not both',
    }),
    // CloudWatch refuses an alarm action in another region than the alarm's.
    z.refine(
      (tenant) =>
        !tenant.alarmTopicArn || !tenant.region || tenant.alarmTopicArn.split(':')[3] === tenant.region,
      {
        message:
          "alarmTopicArn must be a topic in the tenant's region: CloudWatch alarms notify topics of their own region only",
      },
    ),
    z.refine(
      (tenant) =>
        !tenant.vpc || tenant.vpc.privateSubnetIds.length % tenant.vpc.availabilityZones.length === 0,
      {
        message: 'vpc.privateSubnetIds must hold the same number of subnets in each availability zone',
      },
    ),
  );
export type TenantConfig = z.infer<typeof TenantConfig>;

export const TENANTS_CONTEXT_KEY = 'credentials-service:tenants';

export const parseTenants = (value: unknown): TenantConfig[] => {
  const entries = Array.isArray(value) ? value : [];
  for (const [index, entry] of entries.entries()) {
    if (entry && typeof entry === 'object' && 'workflowInvokerArns' in entry) {
      throw new Error(
        `Invalid ${TENANTS_CONTEXT_KEY}[${index}] in cdk.json: workflowInvokerArns was split into resolveInvokerArns (workflows: resolve only) and managementInvokerArns (automation that manages credentials).`,
      );
    }
  }
  const result = z.safeParse(z.array(TenantConfig), value ?? []);
  if (!result.success) {
    throw new Error(`Invalid ${TENANTS_CONTEXT_KEY} context in cdk.json:\n${z.prettifyError(result.error)}`);
  }
  const ids = result.data.map((tenant) => tenant.id);
  if (new Set(ids).size !== ids.length) throw new Error('Tenant ids in cdk.json must be unique.');
  return result.data;
};
