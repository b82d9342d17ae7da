import * as z from 'zod/mini';
import { humanMessage } from '../errors/validation-messages.ts';
import { COMPONENT_ID_PATTERN, type ComponentDefinition } from './component.ts';
import { type ComponentSettings, withSettings } from './component-settings.ts';

const fieldName = z
  .string()
  .check(z.regex(/^[a-zA-Z][a-zA-Z0-9]{0,63}$/, 'must be a letter, then up to 63 letters or digits'));
const text = (max: number) => z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(max));

/** A URL a descriptor fixes: https, or a deployment setting (`{{$demoOAuth2BaseUrl}}/token`). */
const endpoint = z
  .string()
  .check(
    z.refine(
      (value) => /^\{\{\$\w+\}\}/.test(value) || /^https:\/\/[^\s/@]+(\/\S*)?$/.test(value),
      'must be an https URL without userinfo (or start with a {{$setting}})',
    ),
  );

const regexSource = z.string().check(
  z.refine((value) => {
    try {
      new RegExp(value);
      return true;
    } catch {
      return false;
    }
  }, 'must be a valid regular expression'),
);

const FieldSchema = z.strictObject({
  name: fieldName,
  label: text(120),
  type: z.enum(['string', 'integer', 'url', 'datetime', 'hostname']),
  required: z.boolean(),
  secret: z.boolean(),
  heldByService: z.optional(z.boolean()),
  pattern: z.optional(regexSource),
  maxLength: z.optional(z.int().check(z.gte(1), z.lte(65_536))),
  description: z.optional(text(500)),
});

const VerificationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('http'),
    method: z.enum(['GET', 'POST', 'HEAD']),
    url: text(2048),
    headers: z.optional(z.record(z.string(), z.string())),
    basicAuth: z.optional(z.strictObject({ username: z.string(), password: z.string() })),
    successStatuses: z.array(z.int().check(z.gte(200), z.lte(299))).check(z.minLength(1)),
  }),
  z.strictObject({ kind: z.literal('oauth2') }),
  z.strictObject({ kind: z.literal('postgresql') }),
  z.strictObject({ kind: z.literal('none'), reason: text(300) }),
]);

/** The OAuth2 provider of a component whose endpoints are fixed (GitHub, Google, Salesforce…). */
const ProviderSchema = z
  .strictObject({
    grant: z.enum(['authorization_code', 'client_credentials']),
    authorizationUrl: z.optional(endpoint),
    tokenUrl: endpoint,
    /** RFC 7009: where tokens the service stops using (replaced, deleted) are revoked. */
    revocationUrl: z.optional(endpoint),
    /**
     * What revoking a refresh token ends at this provider: `grant` (the default, as RFC 7009 §2.1
     * allows) ends every token of its grant, and a provider that reuses the grant when the same
     * person consents again (Google, oidc-provider) would end a re-connect's new tokens with it; so
     * tokens a re-connect or an edit replaced are revoked only at a `token` provider. A deleted
     * credential's are revoked at both.
     */
    revocationScope: z.optional(z.enum(['token', 'grant'])),
    /** The token check after connecting: a GET with the access token as a bearer token. */
    userinfo: z.optional(
      z.strictObject({ url: endpoint, headers: z.optional(z.record(z.string(), z.string())) }),
    ),
    scopes: z.array(text(200)).check(z.maxLength(50)),
    /** Proof Key for Code Exchange with S256 (RFC 7636): on unless a provider cannot take it. */
    pkce: z.optional(z.boolean()),
    tokenEndpointAuthMethod: z.optional(z.enum(['client_secret_basic', 'client_secret_post'])),
    /**
     * The provider's issuer identifier (RFC 8414). An authorization response carrying `iss`
     * (RFC 9207) must name exactly this issuer, or the callback refuses it: with one redirect URI
     * for every provider, that is what tells a real answer from another server's (mix-up).
     */
    issuer: z.optional(endpoint),
    /** The provider always sends `iss` (its `authorization_response_iss_parameter_supported`). */
    issuerInResponse: z.optional(z.boolean()),
    /**
     * Every refresh spends the refresh token and answers a new one: an answer without one means
     * the credential needs reconnecting (the spent token is never presented again). Without this
     * setting an answer without a refresh token keeps the one presented (RFC 6749 §6).
     */
    rotatesRefreshTokens: z.optional(z.boolean()),
    /** Refresh tokens lapse after this many idle days: refreshed at least this often. */
    keepAliveDays: z.optional(z.int().check(z.gte(1), z.lte(365))),
    /** Extra authorization request parameters, such as `access_type: offline`. */
    authorizationParams: z.optional(z.record(z.string(), z.string())),
  })
  .check(
    z.refine(
      (provider) => provider.grant !== 'authorization_code' || provider.authorizationUrl !== undefined,
      { message: 'is required for the authorization_code grant', path: ['authorizationUrl'] },
    ),
    z.refine((provider) => !provider.issuerInResponse || provider.issuer !== undefined, {
      message: 'is required when the provider always sends iss',
      path: ['issuer'],
    }),
  );

/** Where the proxy sends a step's requests: an https URL, a {{$setting}} or a {{field}}. */
const apiBase = z.string().check(
  z.refine(
    (value) => /^\{\{\$?\w+\}\}/.test(value) || /^https:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/.test(value),
    'must be an https URL without userinfo, query or fragment, or start with a {{$setting}} or {{field}}',
  ),
  z.maxLength(2048),
);
const headerName = z
  .string()
  .check(
    z.regex(/^(\{\{\w+\}\}|[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128})$/, 'must be a header name or one {{field}}'),
  );

const ApiSchema = z.strictObject({
  baseUrl: apiBase,
  /** A base taken from a field must match this, checked on every proxied request. */
  baseUrlPattern: z.optional(regexSource),
  auth: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('header'), name: headerName, value: text(2048) }),
    z.strictObject({ kind: z.literal('query'), name: text(128), value: text(2048) }),
    z.strictObject({ kind: z.literal('basic'), username: text(512), password: text(512) }),
    z.strictObject({ kind: z.literal('bearer'), token: text(512) }),
  ]),
  headers: z.optional(z.record(headerName, z.string().check(z.maxLength(1024)))),
  expiredTokenStatuses: z.optional(z.array(z.int().check(z.gte(400), z.lte(499))).check(z.minLength(1))),
});

/** Built on first use: modules that only import the types never construct it. */
let schema: ReturnType<typeof buildSchema> | undefined;
export const componentDescriptorSchema = () => {
  schema ??= buildSchema();
  return schema;
};

const buildSchema = () =>
  z.strictObject({
    $schema: z.optional(z.string()),
    id: z.string().check(z.regex(COMPONENT_ID_PATTERN, 'must be 2-40 lower-case letters, digits or -')),
    name: text(120),
    description: text(500),
    icon: z.optional(
      z
        .string()
        .check(
          z.regex(
            /^data:image\/(svg\+xml|png);base64,[A-Za-z0-9+/=]+$/,
            'must be a data: URL of an SVG or PNG',
          ),
          z.maxLength(16_384),
        ),
    ),
    docsUrl: z.optional(
      z.string().check(z.regex(/^https:\/\/[^\s]+$/, 'must be an https URL'), z.maxLength(2048)),
    ),
    fields: z.array(FieldSchema).check(z.minLength(1), z.maxLength(30)),
    verification: VerificationSchema,
    destinationFields: z.optional(z.array(fieldName)),
    provider: z.optional(ProviderSchema),
    api: z.optional(ApiSchema),
    /** A datetime field holding when the credential expires; `credential.expiring` is sent ahead. */
    expiry: z.optional(z.strictObject({ field: fieldName, warnDays: z.int().check(z.gte(1), z.lte(90)) })),
  });
export type ComponentDescriptor = z.infer<ReturnType<typeof buildSchema>>;

/** Rules across members that a schema per member cannot state. */
const consistencyIssues = (descriptor: ComponentDescriptor): { path: string; message: string }[] => {
  const names = descriptor.fields.map((field) => field.name);
  const issues: { path: string; message: string }[] = [];
  names.forEach((name, index) => {
    if (names.indexOf(name) !== index)
      issues.push({ path: `fields.${index}.name`, message: `'${name}' is declared twice` });
  });
  const verification = descriptor.verification;
  const template =
    verification.kind === 'http'
      ? JSON.stringify([verification.url, verification.headers, verification.basicAuth])
      : '';
  for (const [, name] of template.matchAll(/\{\{(\w+)\}\}/g)) {
    if (!names.includes(name as string))
      issues.push({ path: 'verification', message: `names {{${name}}}, which is not a field` });
  }
  // A client-credentials token is fetched per use, never a field.
  const apiNames = descriptor.provider?.grant === 'client_credentials' ? [...names, 'accessToken'] : names;
  for (const [, name] of JSON.stringify(descriptor.api ?? {}).matchAll(/\{\{(\w+)\}\}/g)) {
    if (!apiNames.includes(name as string))
      issues.push({ path: 'api', message: `names {{${name}}}, which is not a field` });
  }
  // A URL is logged by proxies and servers alike: a secret field never goes in one.
  const secretNames = new Set(descriptor.fields.filter((field) => field.secret).map((field) => field.name));
  const urls = [
    ['verification.url', verification.kind === 'http' ? verification.url : ''],
    ['api.baseUrl', descriptor.api?.baseUrl ?? ''],
  ] as const;
  for (const [path, url] of urls)
    for (const [, name] of url.matchAll(/\{\{(\w+)\}\}/g))
      if (secretNames.has(name as string))
        issues.push({ path, message: `names the secret field {{${name}}}: a secret never goes in a URL` });
  const expiryField = descriptor.expiry
    ? descriptor.fields.find((field) => field.name === descriptor.expiry?.field)
    : undefined;
  if (descriptor.expiry && (expiryField?.type !== 'datetime' || expiryField.secret))
    issues.push({ path: 'expiry.field', message: 'must name a plain datetime field' });
  const baseField = /^\{\{(\w+)\}\}/.exec(descriptor.api?.baseUrl ?? '')?.[1];
  if (baseField && descriptor.fields.find((field) => field.name === baseField)?.type !== 'url')
    issues.push({ path: 'api.baseUrl', message: `{{${baseField}}} must be a field of type url` });
  (descriptor.destinationFields ?? []).forEach((name, index) => {
    if (!names.includes(name))
      issues.push({ path: `destinationFields.${index}`, message: `'${name}' is not a field` });
  });
  if (descriptor.provider && descriptor.verification.kind !== 'oauth2')
    issues.push({ path: 'verification.kind', message: "must be 'oauth2' for a component with a provider" });
  if (descriptor.provider?.grant === 'client_credentials') {
    for (const required of ['clientId', 'clientSecret'])
      if (!names.includes(required))
        issues.push({
          path: 'fields',
          message: `a client_credentials component needs a '${required}' field`,
        });
  }
  if (descriptor.provider?.grant === 'authorization_code' && !names.includes('accessToken'))
    issues.push({ path: 'fields', message: "an authorization_code component needs an 'accessToken' field" });
  return issues;
};

/**
 * Validates the descriptors under `shared/components/` and turns them into the definitions the
 * service uses. A broken descriptor fails with its file and the field at fault, so a mistake shows
 * in the tests (and at start), never as a half-working component.
 */
export const loadComponents = (
  descriptors: Readonly<Record<string, unknown>>,
  settings: ComponentSettings,
  /** Where the files are, for the message that names a broken one. */
  folder = 'shared/components',
): ComponentDefinition[] => {
  const components: ComponentDefinition[] = [];
  for (const [file, json] of Object.entries(descriptors)) {
    const parsed = z.safeParse(componentDescriptorSchema(), json, { error: humanMessage });
    const issues = parsed.success
      ? consistencyIssues(parsed.data)
      : parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.') || '(root)',
          message: issue.message,
        }));
    if (parsed.success && parsed.data.id !== file.replace(/\.json$/, ''))
      issues.push({ path: 'id', message: `must match the file name ('${file.replace(/\.json$/, '')}')` });
    if (!parsed.success || issues.length > 0) {
      throw new Error(
        `Invalid component descriptor ${folder}/${file}:\n${issues.map((issue) => `  ${issue.path}: ${issue.message}`).join('\n')}`,
      );
    }
    const { $schema: _schema, ...descriptor } = parsed.data;
    const filled = withSettings(descriptor, settings);
    if (filled) components.push(filled);
  }
  return components;
};
