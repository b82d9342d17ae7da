import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ServiceConfig } from '../config/service-config.ts';
import { createSecretsManagerClient } from './secrets-manager-client.ts';

let client: SecretsManagerClient | undefined;

/** The process's one Secrets Manager client, for the entries that read or write secrets. */
export const lambdaSecretsManager = (config: ServiceConfig): SecretsManagerClient => {
  client ??= createSecretsManagerClient(config);
  return client;
};
