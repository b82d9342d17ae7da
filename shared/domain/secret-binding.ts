import { createHash } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';
import {
  alwaysBoundFieldNames,
  type ComponentDefinition,
  destinationFieldNames,
  secretFieldNames,
} from './component.ts';
import type { FieldValues } from './credential-fields.ts';

/**
 * A stored secret carries a digest of the destination it was saved with (token URL, base URL,
 * header name, database host…). Whatever the metadata says later, the secret is only ever sent, or
 * handed to a workflow, together with that destination: an item edited outside the service, or a
 * PATCH that slipped past the rule, finds a mismatch and is refused.
 */
export const BINDING_KEY = '$destination';

const destinationDigest = (component: ComponentDefinition, plain: FieldValues): string => {
  const always = alwaysBoundFieldNames(component);
  return createHash('sha256')
    .update(
      JSON.stringify([
        component.id,
        ...destinationFieldNames(component)
          .filter((name) => always.has(name) || (plain[name] ?? null) !== null)
          .map((name) => [name, plain[name] ?? null]),
      ]),
    )
    .digest('base64url');
};

/** The value to store in Secrets Manager: the secret fields and the destination they are bound to. */
export const bindSecret = (
  component: ComponentDefinition,
  plain: FieldValues,
  secret: FieldValues,
): FieldValues => ({ ...secret, [BINDING_KEY]: destinationDigest(component, plain) });

export const secretsRequired = (component: ComponentDefinition, missing: readonly string[]): AppError =>
  new AppError(
    'secrets_required',
    `Changing where ${component.name} credentials are sent needs the secret fields again: send ${missing.join(', ')} in the same request.`,
    {
      issues: missing.map((name) => ({ path: `fields.${name}`, message: 'must be sent again' })),
      extensions: { secretFields: [...missing] },
    },
  );

/**
 * The secret fields of a stored value, checked against the metadata's current destination. A
 * mismatch means the destination changed without the secrets being entered again.
 */
export const unbindSecret = (
  component: ComponentDefinition,
  plain: FieldValues,
  stored: FieldValues,
): FieldValues => {
  const { [BINDING_KEY]: boundTo, ...rest } = stored;
  if (boundTo !== destinationDigest(component, plain)) {
    throw secretsRequired(component, secretFieldNames(component));
  }
  // Members that start with `$` are the service's own bookkeeping (no field name can), never a secret.
  return Object.fromEntries(Object.entries(rest).filter(([name]) => !name.startsWith('$')));
};

/**
 * The PATCH rule, decided from the request alone (no AWS call, no network call): a change that
 * names any destination field must send every secret field of the component again, a value or
 * `null` for an optional one.
 */
export const assertSecretsResentWithDestination = (
  component: ComponentDefinition,
  changes: Record<string, unknown>,
): void => {
  const destinations = destinationFieldNames(component);
  if (!destinations.some((name) => name in changes)) return;
  const missing = secretFieldNames(component).filter((name) => !(name in changes));
  if (missing.length > 0) throw secretsRequired(component, missing);
};
