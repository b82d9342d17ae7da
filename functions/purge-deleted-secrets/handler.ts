import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { lambdaRuntime } from '../../shared/composition/lambda-runtime.ts';
import { lambdaSecretsManager } from '../../shared/composition/lambda-secrets-manager.ts';
import { secretStore } from '../../shared/composition/ports.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { removedCredentials } from './removed-credentials.ts';

const runtime = lambdaRuntime();
// The stream record carries everything it needs: no table client, only the secret store.
const deps = { secrets: secretStore(runtime, lambdaSecretsManager(runtime.config)), logger: runtime.logger };

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
