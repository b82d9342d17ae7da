import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { purgeDeletedSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { removedCredentials } from './removed-credentials.ts';

const deps = runtimeDependencies();

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
