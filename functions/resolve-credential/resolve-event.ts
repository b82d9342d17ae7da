import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../../shared/domain/actor.ts';
import { credentialIdSchema, flowIdSchema, stepIdSchema } from '../../shared/lambda/schema.ts';

/** The event a workflow sends; IAM decides who may invoke (this is not an HTTP route). */
export const ResolveEvent = z.strictObject({
  tenantId: z.string().check(z.regex(TENANT_ID_PATTERN)),
  flowId: flowIdSchema,
  stepId: stepIdSchema,
  executionId: z.string().check(z.minLength(1), z.maxLength(512)),
  credentialId: z.optional(credentialIdSchema),
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
});
export type ResolveEvent = z.infer<typeof ResolveEvent>;

/**
 * `reportRejected`: the step's API refused the credential. Resolve's fields, and what the API said;
 * allowed to whoever may resolve.
 */
export const ReportRejectedEvent = z.strictObject({
  ...ResolveEvent.def.shape,
  reportRejected: z.literal(true),
  upstreamStatus: z.optional(z.int().check(z.gte(400), z.lte(599))),
});
export type ReportRejectedEvent = z.infer<typeof ReportRejectedEvent>;
