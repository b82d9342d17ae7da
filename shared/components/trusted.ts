import type { ComponentDefinition } from '../domain/component.ts';
import { withSettings } from '../domain/component-settings.ts';
import { COMPONENT_DESCRIPTORS } from './descriptors.ts';

/**
 * The components as a Lambda loads them: the same descriptors, bundled after synthesis validated
 * them (credentials-service.ts), so no schema code is loaded or run on the cold-start path.
 */
export const trustedComponentRegistry = (
  settings: Readonly<Record<string, string | undefined>>,
): ComponentDefinition[] => [
  ...Object.values(COMPONENT_DESCRIPTORS).flatMap((descriptor) => {
    const { $schema: _schema, ...definition } = descriptor as ComponentDefinition & { $schema?: string };
    const filled = withSettings(definition, settings);
    return filled ? [filled] : [];
  }),
  ...localComponents,
];

/**
 * Components `npm start` adds from `LOCAL_COMPONENTS_DIR` (validated there, `local/local-components.ts`).
 * Only local code calls `addLocalComponents`: a Lambda serves the bundled descriptors alone.
 */
const localComponents: ComponentDefinition[] = [];

export const addLocalComponents = (components: readonly ComponentDefinition[]): void => {
  localComponents.push(...components);
};
