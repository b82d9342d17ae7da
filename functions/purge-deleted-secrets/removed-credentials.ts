import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { credentialAddressFromKey } from '../../shared/adapters/dynamodb/table-layout.ts';
import type { SecretAddress } from '../../shared/ports/secret-store.ts';

/**
 * Credential items removed from the table. The secret's address comes from the item's key alone:
 * the key is what DynamoDB guarantees, while the old image's attributes are whatever was written.
 */
export const removedCredentials = (
  event: DynamoDBStreamEvent,
): { address: SecretAddress; sequenceNumber: string }[] =>
  event.Records.flatMap((record) => {
    const keys = record.dynamodb?.Keys;
    if (record.eventName !== 'REMOVE' || !keys) return [];
    const address = credentialAddressFromKey(keys as Record<string, AttributeValue>);
    if (!address) return [];
    return [{ address, sequenceNumber: record.dynamodb?.SequenceNumber ?? '' }];
  });
