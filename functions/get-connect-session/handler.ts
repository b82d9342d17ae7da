import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { getConnectSessionOperation } from './operation.ts';

export const handler = createLambdaHandler(getConnectSessionOperation, runtimeDependencies());
