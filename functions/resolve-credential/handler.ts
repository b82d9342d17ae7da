import { runtimeResolveDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { createResolveHandler } from './resolve-handler.ts';

export const handler = createResolveHandler(runtimeResolveDependencies());
