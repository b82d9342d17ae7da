import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ServiceConfig } from '../config/service-config.ts';
import { createDynamoDbClient } from './dynamodb-client.ts';
import { createSecretsManagerClient } from './secrets-manager-client.ts';

export interface AwsClients {
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsManagerClient;
}

/** Both clients, for the compositions that use every port (the embedded service, the tests). */
export const createAwsClients = (config: ServiceConfig): AwsClients => ({
  dynamoDb: createDynamoDbClient(config),
  secretsManager: createSecretsManagerClient(config),
});
