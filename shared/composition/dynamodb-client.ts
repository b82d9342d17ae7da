import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceConfig } from '../config/service-config.ts';
import { AWS_CALL_TIMEOUTS, AWS_CLIENT_MAX_ATTEMPTS } from './aws-call-timeouts.ts';

// One module per client: an entry that never touches Secrets Manager never loads its client.
export const createDynamoDbClient = (config: ServiceConfig): DynamoDBClient =>
  new DynamoDBClient({
    region: config.region,
    endpoint: config.dynamoDbEndpoint,
    maxAttempts: AWS_CLIENT_MAX_ATTEMPTS,
    requestHandler: AWS_CALL_TIMEOUTS,
  });
