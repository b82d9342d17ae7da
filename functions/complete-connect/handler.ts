import { runtimeVerifyingDependencies } from '../../shared/composition/runtime-verifying-dependencies.ts';
import { createCallbackHandler } from './callback-response.ts';

export const handler = createCallbackHandler(runtimeVerifyingDependencies());
