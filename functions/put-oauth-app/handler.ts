import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { putOAuthAppOperation } from './operation.ts';

export const handler = createLambdaHandler(putOAuthAppOperation, runtimeDependencies());
