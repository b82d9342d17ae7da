/**
 * The environment the Lambda code reads, pointed at the local endpoints. The credentials are
 * placeholders: DynamoDB Local and the local Secrets Manager endpoint accept any signature.
 */
export const localAwsEnvironment = (
  endpoints: { dynamoDb: string; secretsManager: string },
  tableName: string,
) => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  TABLE_NAME: tableName,
  DYNAMODB_ENDPOINT: endpoints.dynamoDb,
  SECRETS_MANAGER_ENDPOINT: endpoints.secretsManager,
});
