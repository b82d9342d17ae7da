import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../shared/domain/actor.ts';

z.config(z.locales.en());

/** One entry of the `credentials-service:tenants` context list in cdk.json. */
export const TenantConfig = z.strictObject({
  id: z.string().check(z.regex(TENANT_ID_PATTERN)),
  account: z.optional(z.string().check(z.regex(/^\d{12}$/))),
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/))),
  jwtIssuer: z.url(),
  jwtAudience: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
  workflowInvokerArns: z.optional(
    z.array(z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/))),
  ),
  verificationAllowedHosts: z.optional(z.array(z.string())),
  logRetentionDays: z.optional(z.int()),
  secretRecoveryWindowDays: z.optional(z.int().check(z.gte(7), z.lte(30))),
  petstoreBaseUrl: z.optional(z.url()),
});
export type TenantConfig = z.infer<typeof TenantConfig>;

export const TENANTS_CONTEXT_KEY = 'credentials-service:tenants';

export const parseTenants = (value: unknown): TenantConfig[] => {
  const result = z.safeParse(z.array(TenantConfig), value ?? []);
  if (!result.success) {
    throw new Error(`Invalid ${TENANTS_CONTEXT_KEY} context in cdk.json:\n${z.prettifyError(result.error)}`);
  }
  const ids = result.data.map((tenant) => tenant.id);
  if (new Set(ids).size !== ids.length) throw new Error('Tenant ids in cdk.json must be unique.');
  return result.data;
};
