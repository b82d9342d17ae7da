import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ServiceConfig } from '../config/service-config.ts';
import { AWS_CLIENT_MAX_ATTEMPTS } from './aws-call-timeouts.ts';
import { InvocationBoundHttpHandler } from './invocation-bound-http-handler.ts';

// One module per client: an entry that never touches Secrets Manager never loads its client.
export const createSecretsManagerClient = (config: ServiceConfig): SecretsManagerClient =>
  new SecretsManagerClient({
    region: config.region,
    endpoint: config.secretsManagerEndpoint,
    maxAttempts: AWS_CLIENT_MAX_ATTEMPTS,
    requestHandler: new InvocationBoundHttpHandler(),
  });
