import { loadServiceConfig } from '../config/service-config.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import { buildDependencies } from './dependencies.ts';

let dependencies: UseCaseDependencies | undefined;

/** Lambda entries call this at module scope: clients and config are built once per container. */
export const runtimeDependencies = (): UseCaseDependencies => {
  dependencies ??= buildDependencies(loadServiceConfig(process.env));
  return dependencies;
};
