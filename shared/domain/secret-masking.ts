import type { FieldValues } from './credential-fields.ts';

/** Shorter values are too common to mask or to suspect (a 3-letter key is not a credential). */
export const MIN_SECRET_LENGTH = 4;

/** Every form in which an API might echo a value it received: raw, encoded, or in a Basic header. */
const encodedForms = (value: string): string[] => {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
  ];
};

/** Longest first, so a longer form is masked whole before a shorter one inside it. */
export const sensitiveForms = (secrets: FieldValues, plain: FieldValues = {}): string[] => {
  const secretValues = Object.values(secrets)
    .map(String)
    .filter((value) => value.length >= MIN_SECRET_LENGTH);
  const users = Object.values(plain)
    .map(String)
    .filter((value) => value.length <= 512);
  const pairs = secretValues.flatMap((secret) =>
    users.flatMap((user) => [
      `${user}:${secret}`,
      `${encodeURIComponent(user)}:${encodeURIComponent(secret)}`,
    ]),
  );
  return [...secretValues, ...pairs].flatMap(encodedForms).sort((a, b) => b.length - a.length);
};

export const maskWith =
  (forms: readonly string[]) =>
  (text: string): string => {
    let result = text;
    for (const form of forms) result = result.split(form).join('***');
    return result;
  };

/**
 * Replaces every form of every secret (raw, base64, URL- and hex-encoded, in a Basic pair) with
 * `***`: what the proxy does to an upstream answer before a workflow sees it.
 */
export const secretMasker = (secrets: FieldValues, plain: FieldValues = {}): ((text: string) => string) =>
  maskWith(sensitiveForms(secrets, plain));
