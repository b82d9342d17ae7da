import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../domain/actor.ts';
import { builtOnce } from '../domain/built-once.ts';

/**
 * What Step Functions, EventBridge or another Lambda sends when it invokes a function directly.
 * IAM decides who may invoke; the event names the tenant because no token is involved. Built on
 * the first direct invocation: a container behind API Gateway never builds it.
 */
export const DirectEvent = /* @__PURE__ */ builtOnce(() =>
  z.strictObject({
    tenantId: z.string().check(z.regex(TENANT_ID_PATTERN, 'must be 1-64 letters, digits, _ or -')),
    actor: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
    input: z.optional(z.record(z.string(), z.unknown())),
  }),
);
export type DirectEvent = z.infer<ReturnType<typeof DirectEvent>>;

/** Thrown to direct callers; Step Functions matches `Catch.ErrorEquals` on the error name (the code). */
export class OperationFailed extends Error {
  constructor(code: string, problemJson: string) {
    super(problemJson);
    this.name = code;
  }
}
