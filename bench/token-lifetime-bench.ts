import { runTokenLifetime } from '../test/support/token-lifetime-run.ts';
import { startOAuth2BenchService } from './embedded-bench-service.ts';

/**
 * Short-lived access tokens: sequential resolves every 4 s for 10 minutes of simulated time. The
 * goal is about one token call per lifetime, never one per resolve.
 */
export const benchTokenLifetimes = async (dynamoDbEndpoint: string) => {
  const { service, token, api } = await startOAuth2BenchService(
    dynamoDbEndpoint,
    'bench-lifetimes',
    'lifetime-tenant',
  );
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
