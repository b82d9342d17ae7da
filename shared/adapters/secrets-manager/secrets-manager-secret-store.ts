import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { FieldValues } from '../../domain/credential-fields.ts';
import { AppError } from '../../errors/app-error.ts';
import { type SecretStore, StaleListingError } from '../../ports/secret-store.ts';
import { parseSecretName, secretName, secretTags } from './secret-naming.ts';

export interface SecretStoreSettings {
  readonly prefix: string;
  readonly recoveryWindowDays: number;
  /** The tenant's customer-managed key; absent locally. */
  readonly kmsKeyId?: string;
}

const parseValues = (secretString: string | undefined): FieldValues =>
  secretString ? (JSON.parse(secretString) as FieldValues) : {};

const secretMissing = (credentialId: string): AppError =>
  new AppError(
    'credential_invalid',
    'The credential’s secret is missing from the secret store, so it cannot be used or verified. Delete it and create it again.',
    { extensions: { credentialId, reason: 'secret_missing' } },
  );

export const secretsManagerSecretStore = (
  client: SecretsManagerClient,
  settings: SecretStoreSettings,
): SecretStore => {
  const name = (address: Parameters<SecretStore['read']>[0]) => secretName(settings.prefix, address);
  const describe: SecretStore['describe'] = async (address) => {
    try {
      const described = await client.send(new DescribeSecretCommand({ SecretId: name(address) }));
      return {
        tags: Object.fromEntries((described.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
        deleted: described.DeletedDate !== undefined,
        // Versions with a staging label; an unlabeled (deprecated) one may be removed by AWS at any time.
        versionIds: Object.keys(described.VersionIdsToStages ?? {}),
      };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return null;
      throw error;
    }
  };

  return {
    async create(address, values, requestToken = randomUUID()) {
      const { VersionId } = await client.send(
        new CreateSecretCommand({
          Name: name(address),
          SecretString: JSON.stringify(values),
          ClientRequestToken: requestToken,
          KmsKeyId: settings.kmsKeyId,
          Tags: secretTags(address),
          Description: 'Credential secret fields, managed by the credentials service.',
        }),
      );
      return VersionId ?? '';
    },

    async putVersion(address, values, requestToken) {
      const { VersionId } = await client.send(
        new PutSecretValueCommand({
          SecretId: name(address),
          SecretString: JSON.stringify(values),
          ClientRequestToken: requestToken,
        }),
      );
      return VersionId ?? requestToken;
    },

    async read(address, versionId) {
      try {
        const result = await client.send(
          new GetSecretValueCommand({
            SecretId: name(address),
            ...(versionId ? { VersionId: versionId } : {}),
          }),
        );
        return { values: parseValues(result.SecretString), versionId: result.VersionId ?? '' };
      } catch (error) {
        // The item outlived its secret (deleted outside the service, or a version that is gone): a
        // fact about this credential, not an outage. The sweeper marks such items invalid.
        if (error instanceof ResourceNotFoundException) throw secretMissing(address.credentialId);
        // GetSecretValue's one state refusal: the secret is scheduled for deletion (outside the
        // service, or a delete whose item write was lost).
        if (error instanceof InvalidRequestException) throw secretMissing(address.credentialId);
        throw error;
      }
    },

    describe,

    async restore(address) {
      await client.send(new RestoreSecretCommand({ SecretId: name(address) }));
    },

    async scheduleDeletion(address) {
      try {
        await client.send(
          new DeleteSecretCommand({
            SecretId: name(address),
            RecoveryWindowInDays: settings.recoveryWindowDays,
          }),
        );
      } catch (error) {
        // Gone already: the goal is met.
        if (error instanceof ResourceNotFoundException) return;
        // InvalidRequestException also means other things, and its wording is not a contract: only
        // DescribeSecret's DeletedDate says "already scheduled" (a retry of the durable clean-up).
        if (error instanceof InvalidRequestException) {
          const described = await describe(address);
          if (described === null || described.deleted) return;
        }
        throw error;
      }
    },

    async deleteNow(address) {
      try {
        await client.send(
          new DeleteSecretCommand({ SecretId: name(address), ForceDeleteWithoutRecovery: true }),
        );
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return;
        throw error;
      }
    },

    async listManagedPage(tenantId, nextToken) {
      try {
        const page = await client.send(
          new ListSecretsCommand({
            Filters: [
              { Key: 'name', Values: [tenantId ? `${settings.prefix}/${tenantId}/` : `${settings.prefix}/`] },
            ],
            MaxResults: 100,
            NextToken: nextToken,
            SortOrder: 'asc',
          }),
        );
        const entries = (page.SecretList ?? []).flatMap((secret) => {
          const address = secret.Name ? parseSecretName(settings.prefix, secret.Name) : null;
          if (!address) return [];
          return [
            {
              address,
              createdAt: secret.CreatedDate ?? new Date(0),
              tags: Object.fromEntries((secret.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
            },
          ];
        });
        return { entries, nextToken: page.NextToken };
      } catch (error) {
        if (error instanceof InvalidNextTokenException) throw new StaleListingError();
        throw error;
      }
    },
  };
};
