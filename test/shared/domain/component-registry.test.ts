import { describe, expect, it } from 'vitest';
import {
  buildComponentRegistry,
  COMPONENT_ID_PATTERN,
  DEFAULT_COMPONENT_SETTINGS,
} from '../../../shared/domain/component-registry.ts';

describe('the component definitions', () => {
  const components = buildComponentRegistry(DEFAULT_COMPONENT_SETTINGS);

  it('have unique, well-formed ids and field names', () => {
    const ids = components.map((component) => component.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const component of components) {
      expect(component.id).toMatch(COMPONENT_ID_PATTERN);
      const names = component.fields.map((field) => field.name);
      expect(new Set(names).size, component.id).toBe(names.length);
      for (const field of component.fields) {
        if (field.pattern) expect(() => new RegExp(field.pattern as string), field.name).not.toThrow();
      }
    }
  });

  it('only name declared fields in their verification templates and destination lists', () => {
    for (const component of components) {
      const names = new Set(component.fields.map((field) => field.name));
      const verification = component.verification;
      const template =
        verification.kind === 'http'
          ? JSON.stringify([verification.url, verification.headers, verification.basicAuth])
          : '';
      for (const [, name] of template.matchAll(/\{\{(\w+)\}\}/g)) {
        expect(names.has(name as string), `${component.id}: {{${name}}}`).toBe(true);
      }
      for (const name of component.destinationFields ?? []) {
        expect(names.has(name), `${component.id}: ${name}`).toBe(true);
      }
    }
  });
});
