import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ServiceConfig } from '../config/service-config.ts';
import { createDynamoDbClient } from './dynamodb-client.ts';

let client: DynamoDBClient | undefined;

/** The process's one DynamoDB client, for the entries that read or write the table. */
export const lambdaDynamoDb = (config: ServiceConfig): DynamoDBClient => {
  client ??= createDynamoDbClient(config);
  return client;
};
