import { AppError, type FieldIssue, validationFailed } from '../errors/app-error.ts';
import type { ComponentDefinition, FieldDefinition } from './component.ts';

export type FieldValue = string | number;
export type FieldValues = Record<string, FieldValue>;

/** Secrets Manager refuses a SecretString above 65,536 bytes. */
export const SECRET_VALUE_LIMIT_BYTES = 65_536;
const DEFAULT_MAX_LENGTH = 2048;
const HOSTNAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface SplitFields {
  readonly plain: FieldValues;
  readonly secret: FieldValues;
}

const checkValue = (field: FieldDefinition, value: unknown): string | null => {
  if (field.type === 'integer') {
    if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
    if (field.name === 'port' && (value < 1 || value > 65_535)) return 'must be between 1 and 65535';
    return null;
  }
  if (typeof value !== 'string') return 'must be a string';
  if (value.length === 0) return 'must not be empty';
  const maxLength = field.maxLength ?? DEFAULT_MAX_LENGTH;
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (field.pattern && !new RegExp(field.pattern).test(value)) return 'has an invalid format';
  if (field.type === 'url') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'must be an absolute URL';
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
    if (url.username || url.password) return 'must not embed credentials in the URL';
  }
  if (field.type === 'hostname' && !HOSTNAME.test(value)) return 'must be a host name or IPv4 address';
  if (field.type === 'datetime' && (!ISO_DATETIME.test(value) || Number.isNaN(Date.parse(value)))) {
    return 'must be an ISO 8601 date-time with a time zone';
  }
  return null;
};

const secretSize = (secret: FieldValues): number => Buffer.byteLength(JSON.stringify(secret), 'utf8');

/**
 * Room kept for what the service adds to the stored value: the destination binding
 * (`,"$destination":"<43 base64url characters>"`, 61 bytes), with a margin.
 */
export const STORED_VALUE_OVERHEAD_BYTES = 128;

/** What the secret fields of one credential may take, as JSON, so the stored value still fits. */
export const SECRET_FIELDS_LIMIT_BYTES = SECRET_VALUE_LIMIT_BYTES - STORED_VALUE_OVERHEAD_BYTES;

export const assertSecretFits = (secret: FieldValues): void => {
  if (secretSize(secret) > SECRET_FIELDS_LIMIT_BYTES) {
    throw new AppError(
      'payload_too_large',
      `The secret fields together take more than ${SECRET_FIELDS_LIMIT_BYTES} bytes as JSON; Secrets Manager stores at most ${SECRET_VALUE_LIMIT_BYTES} per secret.`,
    );
  }
};

/**
 * Checks a complete set of fields against the component's schema and splits it into the plain part
 * (stored in DynamoDB) and the secret part (stored in Secrets Manager). Messages never echo values.
 */
export const validateFields = (
  component: ComponentDefinition,
  fields: Record<string, unknown>,
): SplitFields => {
  const issues: FieldIssue[] = [];
  const known = new Map(component.fields.map((field) => [field.name, field]));
  for (const name of Object.keys(fields)) {
    if (!known.has(name)) {
      issues.push({ path: `fields.${name}`, message: `is not a field of component '${component.id}'` });
    }
  }
  const plain: FieldValues = {};
  const secret: FieldValues = {};
  for (const field of component.fields) {
    const value = fields[field.name];
    if (value === undefined || value === null) {
      if (field.required) issues.push({ path: `fields.${field.name}`, message: 'is required' });
      continue;
    }
    const problem = checkValue(field, value);
    if (problem) {
      issues.push({ path: `fields.${field.name}`, message: problem });
      continue;
    }
    (field.secret ? secret : plain)[field.name] = value as FieldValue;
  }
  if (issues.length > 0) throw validationFailed(issues);
  assertSecretFits(secret);
  return { plain, secret };
};

/**
 * PATCH semantics: a field not sent keeps its value, `null` clears an optional field. The caller
 * passes the stored values; the merged result is validated as a whole.
 */
export const mergeFieldChanges = (
  current: FieldValues,
  changes: Record<string, unknown>,
): Record<string, unknown> => {
  const merged: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete merged[name];
    else merged[name] = value;
  }
  return merged;
};
