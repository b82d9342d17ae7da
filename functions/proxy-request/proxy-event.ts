import * as z from 'zod/mini';
import { TENANT_ID_PATTERN } from '../../shared/domain/actor.ts';
import { credentialIdSchema, flowIdSchema, stepIdSchema } from '../../shared/lambda/schema.ts';

/**
 * A path under the credential's API base: never a URL (`https://…`), a host (`//host`), a userinfo
 * form (`user@host`), a parent segment (`..`, `%2e%2e`), a query or a fragment (`query` carries
 * parameters). Percent-encoded bytes are kept as they are.
 */
const isRelativePath = (path: string): boolean =>
  path.startsWith('/') &&
  !path.startsWith('//') &&
  /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/.test(path) &&
  !/%(?![0-9A-Fa-f]{2})/.test(path) &&
  path.split('/').every((segment) => {
    // Escapes that are not UTF-8 (`%FF`, an overlong `%C0%AE` for `.`) are refused: servers
    // disagree on what they mean, and one may read a dot segment.
    const decoded = decodedSegment(segment);
    return decoded !== undefined && decoded !== '.' && decoded !== '..';
  });

const decodedSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
};

const headerName = z
  .string()
  .check(z.regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}$/, 'must be a header name (RFC 9110 token)'));
const headerValue = z
  .string()
  .check(z.maxLength(8192), z.regex(/^[\t\x20-\x7e\u0080-\u00ff]*$/, 'must be visible ASCII or Latin-1'));
const queryValue = z.string().check(z.maxLength(4096));

export const ProxiedRequestSchema = z.strictObject({
  method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']),
  path: z
    .string()
    .check(
      z.maxLength(2048),
      z.refine(
        isRelativePath,
        'must be a path under the API base such as /pets/1: not a URL or //host, without .., ? or #, its escapes UTF-8',
      ),
    ),
  query: z.optional(
    z.record(
      z.string().check(z.minLength(1), z.maxLength(256)),
      z.union([queryValue, z.array(queryValue).check(z.maxLength(100))]),
    ),
  ),
  headers: z.optional(z.record(headerName, headerValue)),
  body: z.optional(z.unknown()),
  bodyEncoding: z.optional(z.enum(['json', 'text', 'base64'])),
  timeoutMs: z.optional(z.int().check(z.gte(100), z.lte(20_000))),
});

const stepFields = {
  flowId: flowIdSchema,
  stepId: stepIdSchema,
  executionId: z.string().check(z.minLength(1), z.maxLength(512)),
  credentialId: z.optional(credentialIdSchema),
  request: ProxiedRequestSchema,
};

/** The event a workflow sends: resolve's, plus the request. IAM decides who may invoke. */
export const ProxyEvent = z.strictObject({
  tenantId: z.string().check(z.regex(TENANT_ID_PATTERN)),
  actor: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  ...stepFields,
});
export type ProxyEvent = z.infer<typeof ProxyEvent>;

/** The HTTPS request: its body is the same, with the tenant from the token. */
export const ProxyHttpInput = z.strictObject({ body: z.strictObject(stepFields) });
