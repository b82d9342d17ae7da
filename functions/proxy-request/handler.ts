import { runtimeProxyDependencies } from '../../shared/composition/runtime-proxy-dependencies.ts';
import { createProxyHandler } from './proxy-handler.ts';

export const handler = createProxyHandler(runtimeProxyDependencies());
