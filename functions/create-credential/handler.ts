import { runtimeVerifyingDependencies } from '../../shared/composition/runtime-verifying-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { createCredentialOperation } from './operation.ts';

export const handler = createLambdaHandler(createCredentialOperation, runtimeVerifyingDependencies());
