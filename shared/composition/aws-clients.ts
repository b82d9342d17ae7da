import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ServiceConfig } from '../config/service-config.ts';

export interface AwsClients {
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
}

/** Built once per process (module scope in Lambda) and injected into adapters. */
export const createAwsClients = (config: ServiceConfig): AwsClients => ({
  dynamoDb: new DynamoDBClient({ region: config.region, endpoint: config.dynamoDbEndpoint, maxAttempts: 3 }),
  secretsManager: new SecretsManagerClient({
    region: config.region,
    endpoint: config.secretsManagerEndpoint,
    maxAttempts: 3,
  }),
});
