import { AppError, notFound } from '../errors/app-error.ts';
import type { ComponentDefinition } from './component.ts';

export interface ComponentCatalog {
  readonly all: readonly ComponentDefinition[];
  find(componentId: string): ComponentDefinition | undefined;
  /** For input that names a component: an unknown one is the caller's mistake (400). */
  require(componentId: string, path?: string): ComponentDefinition;
  /** For a path that names a component: an unknown one is a 404. */
  get(componentId: string): ComponentDefinition;
}

/** The catalog's answers, from a lookup by id and the whole list (each made however its source likes). */
export const catalogOf = (
  find: (componentId: string) => ComponentDefinition | undefined,
  all: () => readonly ComponentDefinition[],
): ComponentCatalog => ({
  get all() {
    return all();
  },
  find,
  require: (componentId, path = 'componentId') => {
    const component = find(componentId);
    if (!component) {
      throw new AppError('validation_failed', `${path}: unknown component '${componentId.slice(0, 64)}'`, {
        issues: [{ path, message: 'is not a known component' }],
      });
    }
    return component;
  },
  get: (componentId) => {
    const component = find(componentId);
    if (!component) throw notFound('Component');
    return component;
  },
});

/** A catalog of definitions already made; of two with one id, the later one is served. */
export const componentCatalog = (components: readonly ComponentDefinition[]): ComponentCatalog => {
  const byId = new Map(components.map((component) => [component.id, component]));
  return catalogOf(
    (componentId) => byId.get(componentId),
    () => components,
  );
};
