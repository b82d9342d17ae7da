import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { startOAuth2TestServer } from './oauth2-test-server.ts';
import type { MatrixService } from './refresh-matrix.ts';

export interface TokenLifetimeRun {
  readonly expiresInSeconds: number;
  readonly resolves: number;
  readonly tokenCalls: number;
  /** Distinct access tokens handed out (each refresh hands out a new one). */
  readonly accessTokens: number;
  readonly handedOutExpired: boolean;
}

/**
 * Sequential resolves through one container every `stepMs` of simulated time (the service's clock
 * moves, nothing sleeps), against a provider issuing tokens that live `expiresIn` seconds: how many
 * token calls a workflow's steady use costs.
 */
export const runTokenLifetime = async (
  service: MatrixService & { allowVerificationTarget(url: string): void },
  token: string,
  tenantId: string,
  expiresIn: number,
  options: { durationMs?: number; stepMs?: number } = {},
): Promise<TokenLifetimeRun> => {
  const durationMs = options.durationMs ?? 600_000;
  const stepMs = options.stepMs ?? 4000;
  const provider = await startOAuth2TestServer({ expiresIn });
  try {
    service.allowVerificationTarget(provider.url);
    const created = await service.api('POST', '/credentials', {
      token,
      body: {
        componentId: 'oauth2',
        fields: {
          tokenUrl: provider.tokenUrl,
          clientId: 'client-1',
          clientSecret: 'client-secret-1',
          accessToken: 'expired-access',
          refreshToken: provider.issueRefreshToken(),
          expiresAt: new Date(Date.now() - 60_000).toISOString(),
        },
      },
    });
    const credentialId = created.body.id as string;
    const flowId = `lifetime-${expiresIn}-${credentialId.slice(0, 10)}`;
    await service.api('PUT', `/flows/${flowId}`, {
      token,
      body: {
        name: flowId,
        status: 'active',
        steps: [{ stepId: 's', componentId: 'oauth2', credentialId }],
      },
    });
    // Simulated time only: the run's own duration never moves a refresh across a resolve.
    const start = Date.now();
    let offsetMs = 0;
    const deps = buildResolveDependencies(
      { ...service.deps, clock: { now: () => new Date(start + offsetMs) } },
      { cacheTtlMs: 30_000, refreshMarginMs: 300_000, refresh: { leaseWaitMs: 10_000 } },
    );
    const handedOut: string[] = [];
    for (offsetMs = 0; offsetMs < durationMs; offsetMs += stepMs) {
      const resolved = await resolveCredential(
        deps,
        { tenantId, subject: 'workflow' },
        { flowId, stepId: 's', executionId: `e-${offsetMs}` },
      );
      handedOut.push(String(resolved.secrets.accessToken));
    }
    return {
      expiresInSeconds: expiresIn,
      resolves: handedOut.length,
      tokenCalls: provider.tokenCalls.length,
      accessTokens: new Set(handedOut).size,
      handedOutExpired: handedOut.includes('expired-access'),
    };
  } finally {
    await provider.stop();
  }
};
