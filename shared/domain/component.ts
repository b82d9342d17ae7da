export type FieldType = 'string' | 'integer' | 'url' | 'datetime' | 'hostname';

export interface FieldDefinition {
  readonly name: string;
  readonly label: string;
  readonly type: FieldType;
  readonly required: boolean;
  /** Secret fields go to Secrets Manager only and are never read back over the API. */
  readonly secret: boolean;
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

export interface ComponentDefinition {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly fields: readonly FieldDefinition[];
  readonly verification: VerificationSpec;
}

export const secretFieldNames = (component: ComponentDefinition): string[] =>
  component.fields.filter((field) => field.secret).map((field) => field.name);
