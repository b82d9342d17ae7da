/** Component ids: lower case, used in credential ids (`<ULID>.<componentId>`) and URLs. */
export const COMPONENT_ID_PATTERN = /^[a-z][a-z0-9-]{1,39}$/;

export type FieldType = 'string' | 'integer' | 'url' | 'datetime' | 'hostname';

export interface FieldDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** Secret fields go to Secrets Manager only and are never read back over the API. */
  readonly secret: boolean;
  /**
   * Kept by the service and never handed to workflows (an OAuth2 refresh token and client secret:
   * a workflow that refreshed on its own would present a rotating refresh token twice).
   */
  readonly heldByService?: boolean;
  readonly pattern?: string;
  readonly maxLength?: number;
  readonly description?: string;
}

/**
 * How a credential of a component is proved to work before it is stored. Placeholders such as
 * `{{apiKey}}` are filled from the credential's fields.
 */
export type VerificationSpec =
  | {
      readonly kind: 'http';
      readonly method: 'GET' | 'POST' | 'HEAD';
      /** Either an absolute URL template or `{{baseUrl}}/path`. */
      readonly url: string;
      readonly headers?: Readonly<Record<string, string>>;
      readonly basicAuth?: { readonly username: string; readonly password: string };
      readonly successStatuses: readonly number[];
    }
  | { readonly kind: 'oauth2' }
  | { readonly kind: 'postgresql' }
  | { readonly kind: 'none'; readonly reason: string };

/** The OAuth2 provider behind a component: its endpoints come from here, never from a user. */
export interface OAuth2Provider {
  readonly grant: 'authorization_code' | 'client_credentials';
  readonly authorizationUrl?: string;
  readonly tokenUrl: string;
  /** Where tokens the service no longer uses are revoked (RFC 7009). */
  readonly revocationUrl?: string;
  /** What revoking a refresh token ends there: that token, or its whole grant (the default). */
  readonly revocationScope?: 'token' | 'grant';
  readonly userinfo?: { readonly url: string; readonly headers?: Readonly<Record<string, string>> };
  readonly scopes: readonly string[];
  readonly pkce?: boolean;
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  readonly authorizationParams?: Readonly<Record<string, string>>;
  /** The issuer an authorization response's `iss` must name (RFC 9207). */
  readonly issuer?: string;
  /** The provider always sends `iss`: a response without it is refused. */
  readonly issuerInResponse?: boolean;
  /** Each refresh answers a new refresh token; one without it needs reconnecting. */
  readonly rotatesRefreshTokens?: boolean;
  /**
   * The provider expires refresh tokens left unused this many days: a credential is refreshed
   * (through the lease) at least this often, however rarely a flow runs.
   */
  readonly keepAliveDays?: number;
}

/** How the proxy authenticates a request to the component's API; placeholders name fields. */
export type ApiAuth =
  | { readonly kind: 'header'; readonly name: string; readonly value: string }
  | { readonly kind: 'query'; readonly name: string; readonly value: string }
  | { readonly kind: 'basic'; readonly username: string; readonly password: string }
  | { readonly kind: 'bearer'; readonly token: string };

/** The component's API, as the proxy calls it for a workflow step that must not hold the secret. */
export interface ApiSpec {
  /** `https://…`, a deployment setting (`{{$petstoreBaseUrl}}`) or a field (`{{baseUrl}}`). */
  readonly baseUrl: string;
  /** A base taken from a field must match this (a provider-given `instance_url`, say). */
  readonly baseUrlPattern?: string;
  readonly auth: ApiAuth;
  /** Sent with every proxied request (an API version header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Statuses meaning "this access token expired": refresh once and retry once. @default [401] */
  readonly expiredTokenStatuses?: readonly number[];
}

export interface ComponentDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** A data: URL (SVG or PNG) for the component's card. */
  readonly icon?: string;
  /** The API's own documentation (https): where a person learns what the fields mean. */
  readonly docsUrl?: string;
  readonly provider?: OAuth2Provider;
  readonly fields: readonly FieldDefinition[];
  readonly verification: VerificationSpec;
  /**
   * Plain fields that decide where or how secrets are sent, beyond those the verification template
   * already shows (its URL and header names): for example a token URL or a database host.
   */
  readonly destinationFields?: readonly string[];
  /** Where the proxy sends a step's requests, and how it authenticates them. */
  readonly api?: ApiSpec;
  /** A field holding when the credential stops working (a key's expiry): warned of ahead. */
  readonly expiry?: { readonly field: string; readonly warnDays: number };
}

export const secretFieldNames = (component: ComponentDefinition): string[] =>
  component.fields.filter((field) => field.secret).map((field) => field.name);

const placeholders = (template: string): string[] =>
  Array.from(template.matchAll(/\{\{(\w+)\}\}/g), (match) => match[1] ?? '');

/** The plain fields the verification request's URL and header names use, plus the declared ones. */
const verificationDestinationNames = (component: ComponentDefinition): Set<string> => {
  const names = new Set(component.destinationFields ?? []);
  const spec = component.verification;
  if (spec.kind === 'http') {
    for (const name of placeholders(spec.url)) names.add(name);
    for (const header of Object.keys(spec.headers ?? {}))
      for (const name of placeholders(header)) names.add(name);
  }
  return names;
};

const plainFieldsOf = (component: ComponentDefinition, names: Iterable<string>): string[] => {
  const secret = new Set(secretFieldNames(component));
  return [...new Set(names)]
    .filter((name) => !secret.has(name) && component.fields.some((f) => f.name === name))
    .sort();
};

/** The plain fields the proxy's base URL and auth parameter name use. */
const apiDestinationNames = (component: ComponentDefinition): string[] => {
  const api = component.api;
  if (!api) return [];
  const parameter = api.auth.kind === 'header' || api.auth.kind === 'query' ? api.auth.name : '';
  return plainFieldsOf(component, [...placeholders(api.baseUrl), ...placeholders(parameter)]);
};

/**
 * The plain fields a stored secret is bound to: every field in the verification request's URL or
 * header names, in the proxy's base URL or parameter name, plus the declared ones. Changing any of
 * them redirects the secrets, so it needs the secrets again (the custody rule).
 */
export const destinationFieldNames = (component: ComponentDefinition): string[] =>
  plainFieldsOf(component, [...verificationDestinationNames(component), ...apiDestinationNames(component)]);

/**
 * The destination fields whose value is bound even when empty. The ones only the proxy's API uses
 * (added after secrets were first saved) are bound once they have a value, so a secret saved
 * before keeps its binding.
 */
export const alwaysBoundFieldNames = (component: ComponentDefinition): Set<string> =>
  new Set(plainFieldsOf(component, verificationDestinationNames(component)));
