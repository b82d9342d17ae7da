import type { TestProject } from 'vitest/node';
import { buildAssets } from '../../local/build-package.ts';
import { startDynamoDbLocal } from '../../local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** One DynamoDB Local (in memory) per test run; each test file creates its own table. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // As in the workers (vitest.config.ts): the SDK's Node version notice, once is enough — here, none.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // Stacks are synthesized from the prebuilt bundles and console files, built from today's sources.
  const [dynamoDb] = await Promise.all([startDynamoDbLocal(), buildAssets()]);
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
