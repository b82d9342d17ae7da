import type { ComponentDefinition } from '../domain/component.ts';
import { withSettings } from '../domain/component-settings.ts';
import { COMPONENT_DESCRIPTORS } from './descriptors.ts';

/**
 * The components as a Lambda loads them: the same descriptors, bundled after synthesis validated
 * them (credentials-service.ts), so no schema code is loaded or run on the cold-start path.
 */
export const trustedComponentRegistry = (
  settings: Readonly<Record<string, string | undefined>>,
): ComponentDefinition[] =>
  Object.values(COMPONENT_DESCRIPTORS).flatMap((descriptor) => {
    const { $schema: _schema, ...definition } = descriptor as ComponentDefinition & { $schema?: string };
    const filled = withSettings(definition, settings);
    return filled ? [filled] : [];
  });
