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
}

export interface ComponentDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** A data: URL (SVG or PNG) for the component's card. */
  readonly icon?: string;
  readonly provider?: OAuth2Provider;
  readonly fields: readonly FieldDefinition[];
  readonly verification: VerificationSpec;
  /**
   * Plain fields that decide where or how secrets are sent, beyond those the verification template
   * already shows (its URL and header names): for example a token URL or a database host.
   */
  readonly destinationFields?: readonly string[];
}

export const secretFieldNames = (component: ComponentDefinition): string[] =>
  component.fields.filter((field) => field.secret).map((field) => field.name);

const placeholders = (template: string): string[] =>
  Array.from(template.matchAll(/\{\{(\w+)\}\}/g), (match) => match[1] ?? '');

/**
 * The plain fields a stored secret is bound to: every field in the verification request's URL or
 * header names, plus the declared ones. Changing any of them redirects the secrets, so it needs
 * the secrets again (the custody rule).
 */
export const destinationFieldNames = (component: ComponentDefinition): string[] => {
  const secret = new Set(secretFieldNames(component));
  const names = new Set(component.destinationFields ?? []);
  const spec = component.verification;
  if (spec.kind === 'http') {
    for (const name of placeholders(spec.url)) names.add(name);
    for (const header of Object.keys(spec.headers ?? {}))
      for (const name of placeholders(header)) names.add(name);
  }
  return [...names]
    .filter((name) => !secret.has(name) && component.fields.some((f) => f.name === name))
    .sort();
};
