import type { ComponentDefinition, FieldDefinition } from '../../shared/domain/component.ts';

type Json = Record<string, unknown>;

/** The default length limit `validateFields` applies to a text field without its own. */
const DEFAULT_MAX_LENGTH = 2048;

const FORMATS: Partial<Record<FieldDefinition['type'], string>> = {
  url: 'uri',
  hostname: 'hostname',
  datetime: 'date-time',
};

const fieldSchema = (field: FieldDefinition): Json => {
  // The label alone, or sentences: a description that ends in a full stop gets no second one.
  const parts = [field.label, field.description, field.secret ? 'Secret: write-only.' : undefined].filter(
    (part): part is string => Boolean(part),
  );
  const description =
    parts.length === 1 ? field.label : `${parts.map((part) => part.replace(/\.$/, '')).join('. ')}.`;
  if (field.type === 'integer') {
    return {
      type: 'integer',
      description,
      ...(field.name === 'port' ? { minimum: 1, maximum: 65_535 } : {}),
    };
  }
  const format = FORMATS[field.type];
  return {
    type: 'string',
    description,
    minLength: 1,
    maxLength: field.maxLength ?? DEFAULT_MAX_LENGTH,
    ...(format ? { format } : {}),
    ...(field.pattern ? { pattern: field.pattern } : {}),
    ...(field.secret ? { writeOnly: true } : {}),
  };
};

const pascal = (id: string): string =>
  id
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

export const createSchemaName = (component: ComponentDefinition): string =>
  `CreateCredential${pascal(component.id)}`;

/** The create body of one component: its own fields, exactly, as `validateFields` checks them. */
const createSchema = (component: ComponentDefinition): Json => ({
  type: 'object',
  title: component.name,
  description: component.description,
  required: ['componentId', 'fields'],
  additionalProperties: false,
  properties: {
    componentId: { type: 'string', const: component.id },
    name: {
      type: ['string', 'null'],
      minLength: 1,
      maxLength: 200,
      description: 'An account name people recognise.',
    },
    fields: {
      type: 'object',
      additionalProperties: false,
      required: component.fields.filter((field) => field.required).map((field) => field.name),
      properties: Object.fromEntries(component.fields.map((field) => [field.name, fieldSchema(field)])),
    },
  },
});

/**
 * Per-component schemas for `POST /credentials`, generated from the component definitions: a
 * client generator gets each component's fields, and `componentId` picks the variant.
 */
export const componentCreateSchemas = (components: readonly ComponentDefinition[]) => {
  const variants = Object.fromEntries(
    components.map((component) => [createSchemaName(component), createSchema(component)]),
  );
  const union: Json = {
    oneOf: components.map((component) => ({ $ref: `#/components/schemas/${createSchemaName(component)}` })),
    discriminator: {
      propertyName: 'componentId',
      mapping: Object.fromEntries(
        components.map((component) => [component.id, `#/components/schemas/${createSchemaName(component)}`]),
      ),
    },
  };
  return { variants, union };
};
