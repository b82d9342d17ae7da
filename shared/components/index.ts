import type { ComponentDefinition } from '../domain/component.ts';
import { loadComponents } from '../domain/component-descriptor.ts';
import type { ComponentSettings } from '../domain/component-settings.ts';
import { COMPONENT_DESCRIPTORS } from './descriptors.ts';

/**
 * The bundled components as a list, validated against the descriptor schema (a lookup over them
 * is a `componentCatalog`): what `npm start`, the tests and CDK synthesis load, so a broken
 * descriptor fails there, naming its file and field.
 */
export const loadBundledComponents = (settings: ComponentSettings): ComponentDefinition[] =>
  loadComponents(COMPONENT_DESCRIPTORS, settings);
