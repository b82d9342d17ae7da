import type { FieldValues } from '../../domain/credential-fields.ts';
import { MIN_SECRET_LENGTH, maskWith, sensitiveForms } from '../../domain/secret-masking.ts';

const EXCERPT_LENGTH = 160;
const FIELD_LENGTH = 100;
/** The members of a JSON error body that describe the error and are meant for people. */
const ERROR_MEMBERS = ['error', 'error_description', 'message', 'code'] as const;

const normalized = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * A short note of why the upstream refused, safe to show the caller. Free text of an upstream can
 * carry what it received (an echoed Authorization header, a reflected key), so only the well-known
 * error members of a JSON body are kept, every secret is masked in each encoding, and if anything
 * still looks like a secret (spaced, reversed, re-cased) the excerpt is dropped altogether.
 */
export const sanitizedExcerpt = (
  body: string,
  secrets: FieldValues,
  plain: FieldValues = {},
): string | undefined => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const forms = sensitiveForms(secrets, plain);
  // Masked whole, then cut: a secret cut first would match none of its masked forms, and its
  // prefix would be shown.
  const masked = maskWith(forms);
  const members = ERROR_MEMBERS.flatMap((name) => {
    const value = (parsed as Record<string, unknown>)[name];
    if (typeof value !== 'string' && typeof value !== 'number') return [];
    const text = Array.from(String(value), (character) => {
      const code = character.charCodeAt(0);
      return code < 0x20 || code === 0x7f ? ' ' : character;
    })
      .join('')
      .trim();
    return text ? [{ name, text: masked(text) }] : [];
  });
  if (members.length === 0) return undefined;

  // When in doubt, say nothing: what survives masking must not contain any secret in any shape.
  const flat = normalized(members.map((member) => member.text).join(' '));
  const suspicious = forms.some((form) => {
    const candidate = normalized(form);
    if (candidate.length < MIN_SECRET_LENGTH) return false;
    return flat.includes(candidate) || flat.includes([...candidate].reverse().join(''));
  });
  if (suspicious) return undefined;
  const text = members.map((member) => `${member.name}: ${member.text.slice(0, FIELD_LENGTH)}`).join('; ');
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text;
};
