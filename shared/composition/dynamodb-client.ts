import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceConfig } from '../config/service-config.ts';
import { AWS_CLIENT_MAX_ATTEMPTS } from './aws-call-timeouts.ts';
import { InvocationBoundHttpHandler } from './invocation-bound-http-handler.ts';

// One module per client: an entry that never touches Secrets Manager never loads its client.
export const createDynamoDbClient = (config: ServiceConfig): DynamoDBClient =>
  new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamoDbEndpoint,
    maxAttempts: AWS_CLIENT_MAX_ATTEMPTS,
    requestHandler: new InvocationBoundHttpHandler(),
  });
