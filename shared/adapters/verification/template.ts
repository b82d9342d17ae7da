import type { FieldValues } from '../../domain/credential-fields.ts';

/** Fills `{{field}}` placeholders from a credential's fields; unknown placeholders become empty. */
export const fillTemplate = (template: string, values: FieldValues): string =>
  template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) =>
    values[name] === undefined ? '' : String(values[name]),
  );

/** A URL template whose placeholders are URL-encoded unless they are the base URL or a path field. */
export const fillUrlTemplate = (template: string, values: FieldValues): string =>
  template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name] === undefined ? '' : String(values[name]);
    return name === 'baseUrl' || name.endsWith('Path')
      ? value.replace(/\/$/, name === 'baseUrl' ? '' : '$&')
      : encodeURIComponent(value);
  });
