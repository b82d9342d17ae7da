import type { ComponentDefinition } from '../domain/component.ts';
import { type ComponentCatalog, catalogOf } from '../domain/component-catalog.ts';
import { withSettings } from '../domain/component-settings.ts';
import { COMPONENT_DESCRIPTORS } from './descriptors.ts';

type Settings = Readonly<Record<string, string | undefined>>;

const idOf = (descriptor: unknown): string => (descriptor as { id: string }).id;

/** A bundled descriptor as a definition: its settings filled, or `undefined` when one is not set. */
const definitionOf = (descriptor: unknown, settings: Settings): ComponentDefinition | undefined => {
  const { $schema: _schema, ...definition } = descriptor as ComponentDefinition & { $schema?: string };
  return withSettings(definition as ComponentDefinition, settings);
};

/**
 * The components as a Lambda loads them: the same descriptors, bundled after synthesis validated
 * them (credentials-service.ts), so no schema code is loaded or run on the cold-start path.
 */
export const trustedComponentRegistry = (settings: Settings): ComponentDefinition[] => [
  ...Object.values(COMPONENT_DESCRIPTORS).flatMap((descriptor) => {
    const filled = definitionOf(descriptor, settings);
    return filled ? [filled] : [];
  }),
  ...localComponents,
];

/**
 * The same components as a catalog that makes each definition the first time it is looked up: a
 * request names one component or two, and filling all of them at every cold start served nobody.
 * Listing them all makes every one, as `loadBundledComponents` does.
 */
export const trustedComponentCatalog = (settings: Settings): ComponentCatalog => {
  const made = new Map<string, ComponentDefinition | undefined>();
  let byId: Map<string, unknown> | undefined;
  const bundled = (componentId: string): ComponentDefinition | undefined => {
    byId ??= new Map(
      Object.values(COMPONENT_DESCRIPTORS).map((descriptor) => [idOf(descriptor), descriptor]),
    );
    const descriptor = byId.get(componentId);
    // Only bundled ids are kept: an id a caller made up is answered, never remembered.
    if (descriptor === undefined) return undefined;
    if (!made.has(componentId)) made.set(componentId, definitionOf(descriptor, settings));
    return made.get(componentId);
  };
  let listed: ComponentDefinition[] | undefined;
  return catalogOf(
    (componentId) => localComponents.findLast((local) => local.id === componentId) ?? bundled(componentId),
    () => {
      listed ??= Object.values(COMPONENT_DESCRIPTORS).flatMap(
        (descriptor) => bundled(idOf(descriptor)) ?? [],
      );
      return localComponents.length === 0 ? listed : [...listed, ...localComponents];
    },
  );
};

/**
 * Components `npm start` adds from `LOCAL_COMPONENTS_DIR` (validated there, `local/local-components.ts`).
 * Only local code calls `addLocalComponents`: a Lambda serves the bundled descriptors alone.
 */
const localComponents: ComponentDefinition[] = [];

export const addLocalComponents = (components: readonly ComponentDefinition[]): void => {
  localComponents.push(...components);
};
