import { runtimeResolveDependencies } from '../../shared/composition/runtime-resolve-dependencies.ts';
import { createResolveHandler } from './resolve-handler.ts';

export const handler = createResolveHandler(runtimeResolveDependencies());
