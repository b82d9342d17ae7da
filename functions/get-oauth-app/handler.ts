import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { getOAuthAppOperation } from './operation.ts';

export const handler = createLambdaHandler(getOAuthAppOperation, runtimeDependencies());
