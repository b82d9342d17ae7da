import { runScenario, SCENARIOS } from '../test/support/refresh-matrix.ts';
import { startRotatingTokenServer } from '../test/support/rotating-token-server.ts';
import { startOAuth2BenchService } from './embedded-bench-service.ts';

/**
 * The OAuth2 refresh matrix (the same scenarios as the integration test) against a strict rotating
 * provider: token calls, refresh-token reuses (the goal is 0) and credentials ending invalid.
 */
export const benchRefreshMatrix = async (dynamoDbEndpoint: string) => {
  const { service, token, api } = await startOAuth2BenchService(
    dynamoDbEndpoint,
    'bench-refresh',
    'refresh-tenant',
  );
  const provider = await startRotatingTokenServer();
  service.allowVerificationTarget(provider.url);
  try {
    const rows = [];
    for (const [index, scenario] of SCENARIOS.entries())
      rows.push(
        await runScenario({ deps: service.deps, api }, provider, token, 'refresh-tenant', scenario, index),
      );
    return {
      cases: rows.length,
      tokenCalls: rows.reduce((sum, row) => sum + row.tokenCalls, 0),
      refreshTokenReuses: rows.reduce((sum, row) => sum + row.reuses, 0),
      endingInvalid: rows.filter((row) => row.finalStatus === 'invalid').length,
      invariantsHeld: rows.filter((row) => row.holds).length,
      note: 'each case: 10 concurrent resolves across 5 containers while the fault is on, then 8 more; the one tolerated reuse is "502 after the commit", which no client can tell from an outage',
      rows: rows.map(
        ({ scenario, tokenCalls, reuses, finalStatus, statusReason, holds, errorCodes, faultFired }) => ({
          scenario,
          tokenCalls,
          reuses,
          finalStatus,
          reason: statusReason?.split(':')[0] ?? null,
          holds,
          // What a case that does not hold saw: the codes workflows got, and whether the fault fired.
          ...(holds ? {} : { errorCodes, faultFired }),
        }),
      ),
    };
  } finally {
    await provider.stop();
    await service.stop();
  }
};
