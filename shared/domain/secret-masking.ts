import type { FieldValues } from './credential-fields.ts';

/** Shorter values are too common to mask or to suspect (a 3-letter key is not a credential). */
export const MIN_SECRET_LENGTH = 4;
/** How many times percent-encoding is applied to a secret's forms, and undone to look for it. */
const PERCENT_DEPTH = 8;
const MASK = '***';

/**
 * The base64 characters that depend only on `bytes`, wherever in a longer base64 text they start:
 * one form per byte offset modulo 3, without the characters shared with the bytes around them.
 */
const base64Cores = (bytes: Buffer): string[] =>
  [0, 1, 2].flatMap((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const mixedHead = [0, 2, 3][shift] as number;
    const mixedTail = (shift + bytes.length) % 3 === 0 ? 0 : 1;
    const core = encoded.slice(mixedHead, encoded.length - mixedTail);
    return core.length >= MIN_SECRET_LENGTH ? [core, core.replace(/\+/g, '-').replace(/\//g, '_')] : [];
  });

/** Percent-encoded once, twice…, as a URI component and as a form value (`+` for a space). */
const percentForms = (value: string): string[] => {
  const forms: string[] = [];
  let component = value;
  let form = value;
  for (let depth = 0; depth < PERCENT_DEPTH; depth++) {
    component = encodeURIComponent(component);
    form = new URLSearchParams({ v: form }).toString().slice(2);
    forms.push(component, form);
  }
  return forms;
};

const utf16be = (value: string): Buffer => Buffer.from(value, 'utf16le').swap16();

/** Forms compared exactly: the value, base64 at every offset, and UTF-16 (as Latin-1 bytes and text). */
const exactForms = (value: string): string[] => {
  const bytes = Buffer.from(value, 'utf8');
  return [
    value,
    bytes.toString('latin1'),
    bytes.toString('base64'),
    ...base64Cores(bytes),
    Buffer.from(value, 'utf16le').toString('latin1'),
    utf16be(value).toString('latin1'),
    ...base64Cores(Buffer.from(value, 'utf16le')),
  ];
};

/** Forms compared without regard to case: hex digits and percent escapes may be either case. */
const caselessForms = (value: string): string[] => [
  Buffer.from(value, 'utf8').toString('hex'),
  ...percentForms(value),
];

const secretValuesOf = (secrets: FieldValues) =>
  Object.values(secrets)
    .map(String)
    .filter((value) => value.length >= MIN_SECRET_LENGTH);

/** Each secret, and each `user:secret` pair a Basic header or a URL's userinfo would carry. */
const sensitiveValues = (secrets: FieldValues, plain: FieldValues): string[] => {
  const secretValues = secretValuesOf(secrets);
  const users = Object.values(plain)
    .map(String)
    .filter((value) => value.length <= 512);
  const pairs = secretValues.flatMap((secret) =>
    users.flatMap((user) => [
      `${user}:${secret}`,
      `${encodeURIComponent(user)}:${encodeURIComponent(secret)}`,
    ]),
  );
  return [...secretValues, ...pairs];
};

const byLength = (a: string, b: string) => b.length - a.length;

/** Every exact form of every secret, longest first (a longer form is masked whole). */
export const sensitiveForms = (secrets: FieldValues, plain: FieldValues = {}): string[] =>
  [
    ...new Set(
      sensitiveValues(secrets, plain).flatMap((value) => [...exactForms(value), ...caselessForms(value)]),
    ),
  ].sort(byLength);

export const maskWith =
  (forms: readonly string[]) =>
  (text: string): string => {
    let result = text;
    for (const form of forms) result = result.split(form).join(MASK);
    return result;
  };

const escaped = (form: string) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (forms: readonly string[], flags: string) =>
  forms.length === 0
    ? undefined
    : new RegExp([...new Set(forms)].sort(byLength).map(escaped).join('|'), flags);

/** Undoes percent-encoding as far as it goes; broken escapes are left as they are. */
const percentDecoded = (text: string): string[] => {
  const views: string[] = [];
  let current = text;
  for (let depth = 0; depth < PERCENT_DEPTH && /%[0-9a-f]{2}/i.test(current); depth++) {
    const bytes = Buffer.from(
      current
        .replace(/\+/g, ' ')
        .replace(/%([0-9a-f]{2})/gi, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    );
    current = bytes.toString('utf8');
    views.push(current, bytes.toString('latin1'));
  }
  return views;
};

/** JSON's escapes (`\/`, `\uXXXX`) undone, for text that quotes JSON without being parsed as it. */
const jsonUnescaped = (text: string): string =>
  text.replace(/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (_match, code: string | undefined, single: string) =>
    code
      ? String.fromCharCode(Number.parseInt(code, 16))
      : ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[single] ?? single),
  );

/** What the proxy does to an upstream answer before a workflow sees it. */
export interface SecretMasker {
  /** Every recognised form replaced with `***`; a text still revealing a secret once decoded becomes `***`. */
  text(text: string): string;
  /** The same, byte for byte, for a body that is not text (UTF-8, UTF-16 and encoded forms). */
  bytes(bytes: Buffer): Buffer;
  /** Each value masked, and every header a secret runs across (split over two) masked whole. */
  headers(headers: Readonly<Record<string, string>>): Record<string, string>;
  /** Parsed JSON: every key and string masked, a number equal to a secret masked. */
  json(value: unknown): unknown;
  /** Whether a secret can still be read in the text: raw, percent- or JSON-decoded, in any case of hex. */
  reveals(text: string): boolean;
}

/**
 * Masks every form of every secret (and `user:secret` pair) the service can recognise: raw;
 * base64 and base64url at any byte offset; percent-encoded up to eight times; hex in any case;
 * UTF-16 in either byte order. What it cannot recognise is the limit docs/security.md names.
 */
export const secretMasker = (secrets: FieldValues, plain: FieldValues = {}): SecretMasker => {
  const values = sensitiveValues(secrets, plain);
  const exact = alternation(values.flatMap(exactForms), 'g');
  const caseless = alternation(values.flatMap(caselessForms), 'gi');
  const plainSecrets = secretValuesOf(secrets).map((value) => value.toLowerCase());
  const hexSecrets = secretValuesOf(secrets).map((value) => Buffer.from(value, 'utf8').toString('hex'));

  const replaceForms = (text: string): string => {
    let result = text;
    if (caseless) result = result.replace(caseless, MASK);
    if (exact) result = result.replace(exact, MASK);
    return result;
  };
  const reveals = (text: string): boolean => {
    if (plainSecrets.length === 0) return false;
    const views = [
      text,
      jsonUnescaped(text),
      ...percentDecoded(text),
      ...percentDecoded(jsonUnescaped(text)),
    ];
    return views.some((view) => {
      const lower = view.toLowerCase();
      return (
        plainSecrets.some((secret) => lower.includes(secret)) || hexSecrets.some((hex) => lower.includes(hex))
      );
    });
  };
  const text = (input: string): string => {
    const masked = replaceForms(input);
    return reveals(masked) ? MASK : masked;
  };
  const json = (value: unknown): unknown => {
    if (typeof value === 'string') return text(value);
    if (typeof value === 'number') return reveals(String(value)) ? MASK : value;
    if (Array.isArray(value)) return value.map(json);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, member]) => [text(key), json(member)]));
    return value;
  };
  const headers = (input: Readonly<Record<string, string>>): Record<string, string> => {
    const names = Object.keys(input);
    const masked: Record<string, string> = {};
    for (const name of names) masked[name] = text(input[name] as string);
    // The values as one text: a secret split across headers is found where it runs across them.
    let joined = '';
    const spans = names.map((name) => {
      const start = joined.length;
      joined += input[name];
      return { name, start, end: joined.length };
    });
    for (const pattern of [exact, caseless]) {
      if (!pattern) continue;
      for (const match of joined.matchAll(pattern)) {
        const [from, to] = [match.index, match.index + match[0].length];
        for (const span of spans) if (span.start < to && span.end > from) masked[span.name] = MASK;
      }
    }
    return masked;
  };
  const bytes = (input: Buffer): Buffer => {
    const latin1 = input.toString('latin1');
    const masked = replaceForms(latin1);
    return masked === latin1 ? input : Buffer.from(masked, 'latin1');
  };
  return { text, bytes, headers, json, reveals };
};
