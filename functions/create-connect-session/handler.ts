import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { createConnectSessionOperation } from './operation.ts';

export const handler = createLambdaHandler(createConnectSessionOperation, runtimeDependencies());
