import { runtimeVerifyingDependencies } from '../../shared/composition/runtime-verifying-dependencies.ts';
import { createHealthHandler } from './health-handler.ts';

export const handler = createHealthHandler(runtimeVerifyingDependencies());
