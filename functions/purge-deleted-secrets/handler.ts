import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaDynamoDb } from '../../shared/composition/lambda-dynamodb.ts';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import { oauthAppRepository, secretStore, trustedComponents } from '../../shared/composition/ports.ts';
import { createTokenRefresher } from '../../shared/composition/token-refresher.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { removedCredentials } from './removed-credentials.ts';

const runtime = lambdaRuntime();
// The stream record names the credential; the tenant's OAuth app (one read) is needed only to
// revoke a deleted OAuth2 credential's tokens at a provider that takes revocations.
const deps = {
  secrets: secretStore(runtime, lambdaSecretsManager(runtime.config)),
  logger: runtime.logger,
  components: trustedComponents(runtime.config),
  oauthApps: oauthAppRepository(runtime, lambdaDynamoDb(runtime.config)),
  tokens: createTokenRefresher(runtime.config),
};

/** The table stream's consumer: retried by Lambda, then sent to a dead-letter queue. */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const removed = removedCredentials(event);
  const failed = new Set(
    (
      await purgeDeletedSecrets(
        deps,
        removed.map((entry) => entry.address),
      )
    ).map((a) => a.credentialId),
  );
  return {
    batchItemFailures: removed
      .filter((entry) => failed.has(entry.address.credentialId))
      .map((entry) => ({ itemIdentifier: entry.sequenceNumber })),
  };
};
