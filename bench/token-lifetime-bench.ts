import { startEmbeddedService } from '../local/embedded-service.ts';
import { silentLogger } from '../shared/ports/logger.ts';
import { runTokenLifetime } from '../test/support/token-lifetime-run.ts';

/**
 * Short-lived access tokens: sequential resolves every 4 s for 10 minutes of simulated time. The
 * goal is about one token call per lifetime, never one per resolve.
 */
export const benchTokenLifetimes = async (dynamoDbEndpoint: string) => {
  const service = await startEmbeddedService({
    dynamoDbEndpoint,
    tablePrefix: 'bench-lifetimes',
    logger: silentLogger,
    petstoreAccepts: () => true,
    overrides: { verifier: { verify: async () => ({ outcome: 'verified' }) } },
  });
  const token = await service.issuer.sign('lifetime-tenant');
  const api = async (method: string, path: string, options: { token: string; body?: unknown }) => {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { body: await response.json().catch(() => null) };
  };
  try {
    const rows = [];
    for (const expiresIn of [60, 120, 300, 3600]) {
      const run = await runTokenLifetime({ ...service, api }, token, 'lifetime-tenant', expiresIn);
      rows.push({ ...run, lifetimesElapsed: Math.round((600 / expiresIn) * 10) / 10 });
    }
    return { durationSeconds: 600, resolveEverySeconds: 4, rows };
  } finally {
    await service.stop();
  }
};
