import { startEmbeddedService } from '../local/embedded-service.ts';
import { silentLogger } from '../shared/adapters/logging/json-logger.ts';

/**
 * The embedded service for an OAuth2 benchmark, storing credentials as given (a verification would
 * itself spend the refresh token), with a token for `tenantId` and an HTTP helper through its gateway.
 */
export const startOAuth2BenchService = async (
  dynamoDbEndpoint: string,
  tablePrefix: string,
  tenantId: string,
) => {
  const service = await startEmbeddedService({
    dynamoDbEndpoint,
    tablePrefix,
    logger: silentLogger,
    petstoreAccepts: () => true,
    overrides: { verifier: { verify: async () => ({ outcome: 'verified' }) } },
  });
  const token = await service.issuer.sign(tenantId);
  const api = async (method: string, path: string, options: { token: string; body?: unknown }) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { body: await response.json().catch(() => null) };
  };
  return { service, token, api };
};
