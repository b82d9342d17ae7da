import type { Actor } from '../domain/actor.ts';
import type { ComponentDefinition } from '../domain/component.ts';
import type { ReadingDependencies } from './use-case-dependencies.ts';

export const componentSummary = (component: ComponentDefinition, credentialCount: number) => ({
  id: component.id,
  name: component.name,
  description: component.description,
  verifiable: component.verification.kind !== 'none',
  /** People connect it through its provider (Connect) rather than typing its fields. */
  connectable: component.provider?.grant === 'authorization_code',
  icon: component.icon ?? null,
  docsUrl: component.docsUrl ?? null,
  credentialCount,
});

export const listComponents = async (deps: ReadingDependencies<'components'>, actor: Actor) => {
  const counts = await deps.credentials.countByComponent(actor.tenantId);
  return deps.components.all.map((component) => componentSummary(component, counts[component.id] ?? 0));
};

export const getComponent = async (
  deps: ReadingDependencies<'components'>,
  actor: Actor,
  componentId: string,
) => {
  const component = deps.components.get(componentId);
  const counts = await deps.credentials.countByComponent(actor.tenantId);
  return {
    ...componentSummary(component, counts[component.id] ?? 0),
    fields: component.fields,
    verification:
      component.verification.kind === 'none'
        ? { kind: 'none' as const, reason: component.verification.reason }
        : { kind: component.verification.kind },
  };
};
