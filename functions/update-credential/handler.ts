import { runtimeVerifyingDependencies } from '../../shared/composition/runtime-verifying-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { updateCredentialOperation } from './operation.ts';

export const handler = createLambdaHandler(updateCredentialOperation, runtimeVerifyingDependencies());
