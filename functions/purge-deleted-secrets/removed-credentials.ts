import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { fromAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import type { SecretAddress } from '../../shared/ports/secret-store.ts';

/** Credential items removed from the table, read from stream records' old images. */
export const removedCredentials = (
  event: DynamoDBStreamEvent,
): { address: SecretAddress; sequenceNumber: string }[] =>
  event.Records.flatMap((record) => {
    const oldImage = record.dynamodb?.OldImage;
    if (record.eventName !== 'REMOVE' || !oldImage) return [];
    const item = fromAttributes(oldImage as Record<string, AttributeValue>);
    if (item.entity !== 'credential') return [];
    return [
      {
        address: { tenantId: String(item.tenantId), credentialId: String(item.id) },
        sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
      },
    ];
  });
