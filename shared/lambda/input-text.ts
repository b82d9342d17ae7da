import type { FieldIssue } from '../errors/app-error.ts';

/** Keys that name prototype machinery: refused wherever they appear, at the top or nested. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
/** C0 controls except tab, line feed and carriage return (a PEM key spans lines), and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** A UTF-16 surrogate without its pair: not text. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** Input nested deeper than this is refused, not walked: every level below it is checked. */
export const MAX_INPUT_DEPTH = 64;

/**
 * What no text in the service's input may hold, whatever the field: lone UTF-16 surrogates (not
 * text; DynamoDB and JSON tools disagree on them), control characters other than line breaks and
 * tab, and keys that name prototype machinery. Reported by path, never echoing the value. Input
 * nested deeper than `MAX_INPUT_DEPTH` is refused (no field of the API nests that deep).
 */
export const textIssues = (input: unknown): FieldIssue[] => {
  const issues: FieldIssue[] = [];
  const walk = (value: unknown, path: string[], depth: number): void => {
    if (issues.length >= 20) return;
    if (depth > MAX_INPUT_DEPTH) {
      issues.push({
        path: path.slice(0, 8).join('.') || '(body)',
        message: `nests deeper than ${MAX_INPUT_DEPTH} levels`,
      });
      return;
    }
    if (typeof value === 'string') {
      const where = path.length === 0 ? '(body)' : path.join('.');
      if (LONE_SURROGATE.test(value)) issues.push({ path: where, message: 'is not valid Unicode text' });
      else if (CONTROL.test(value))
        issues.push({ path: where, message: 'must not contain control characters' });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    for (const [key, item] of Object.entries(value)) {
      const itemPath = [...path, key.slice(0, 64)];
      if (
        !Array.isArray(value) &&
        (FORBIDDEN_KEYS.has(key) || LONE_SURROGATE.test(key) || CONTROL.test(key))
      ) {
        issues.push({ path: itemPath.join('.'), message: 'is not an allowed name' });
        continue;
      }
      walk(item, itemPath, depth + 1);
    }
  };
  walk(input, [], 0);
  return issues;
};
