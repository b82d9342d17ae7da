import { startEmbeddedService } from '../local/embedded-service.ts';
import { REGION_WRITE_RATE_PER_SECOND } from '../local/secrets-manager/secrets-manager-state.ts';
import { silentLogger } from '../shared/adapters/logging/json-logger.ts';
import { buildResolveDependencies } from '../shared/composition/resolve-dependencies.ts';
import { nextCheckAt } from '../shared/domain/health-schedule.ts';
import { DEFAULT_REFRESH_SETTINGS, EARLY_REFRESH_FLOOR_MS } from '../shared/domain/refresh-timing.ts';
import { refreshDueAt } from '../shared/domain/token-refresh-due.ts';
import { createCredential } from '../shared/use-cases/create-credential.ts';
import { putFlow } from '../shared/use-cases/put-flow.ts';
import { resolveCredential } from '../shared/use-cases/resolve-credential.ts';
import { reverifyCredential } from '../shared/use-cases/reverify-credential.ts';
import { startOAuth2TestServer } from '../test/support/oauth2-test-server.ts';

const DAY_MS = 86_400_000;
/** The resolve's refresh margin in Lambda (RESOLVE_REFRESH_MARGIN_MS' default). */
const REFRESH_MARGIN_MS = 300_000;

/** The most writes in any window of `windowMs` (writes given as epoch ms, in order). */
const mostInWindow = (times: readonly number[], windowMs: number): number => {
  let most = 0;
  let start = 0;
  for (let end = 0; end < times.length; end++) {
    while ((times[end] as number) - (times[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
};

/**
 * A provider with 30-minute access tokens and single-use refresh tokens (Xero documents both), one
 * credential kept alive for a simulated week by the real code: resolves as often as a busy workflow
 * makes them (each as soon as the token is due) and the daily scheduled check, against DynamoDB
 * Local and the local Secrets Manager, whose clock is the simulation's (its 24-hour retention and
 * its quota of 100 versions apply as AWS documents them).
 */
const rotatingWeek = async (dynamoDbEndpoint: string) => {
  let simulated = Date.now();
  const service = await startEmbeddedService({
    dynamoDbEndpoint,
    tablePrefix: 'bench-secret-writes',
    logger: silentLogger,
    petstoreAccepts: () => true,
    overrides: { verifier: { verify: async () => ({ outcome: 'verified' }) } },
    secretsClock: () => simulated / 1000,
  });
  const provider = await startOAuth2TestServer({ expiresIn: 1800 });
  service.allowVerificationTarget(provider.url);
  const deps = { ...service.deps, clock: { now: () => new Date(simulated) } };
  const actor = { tenantId: 'bench-writes', subject: 'bench' };
  try {
    const { credential } = await createCredential(deps, actor, {
      componentId: 'oauth2',
      fields: {
        tokenUrl: provider.tokenUrl,
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        accessToken: provider.issueAccessToken(),
        refreshToken: provider.issueRefreshToken(),
        expiresAt: new Date(simulated + 1_800_000).toISOString(),
      },
    });
    await putFlow(deps, actor, {
      flowId: 'busy',
      name: 'busy',
      status: 'active',
      steps: [{ stepId: 's', componentId: 'oauth2', credentialId: credential.id }],
    });
    const resolveDeps = buildResolveDependencies(deps, {
      cacheTtlMs: 0,
      refreshMarginMs: REFRESH_MARGIN_MS,
      refresh: {},
    });
    const start = simulated;
    const writeTimes: number[] = [];
    let writesSeen = service.secretsState.writeAccounting().writes;
    let nextCheck = start + DAY_MS;
    let mostVersions = 0;
    const secretId = `credentials/${actor.tenantId}/${credential.id}`;
    while (simulated < start + 7 * DAY_MS) {
      const resolved = await resolveCredential(resolveDeps, actor, {
        flowId: 'busy',
        stepId: 's',
        executionId: `bench-${simulated}`,
      });
      if (simulated >= nextCheck) {
        await reverifyCredential(deps, actor, credential.id, { scheduled: true });
        nextCheck += DAY_MS;
      }
      const writes = service.secretsState.writeAccounting().writes;
      for (; writesSeen < writes; writesSeen++) writeTimes.push(simulated);
      const versions = service.secretsState.handle('ListSecretVersionIds', {
        SecretId: secretId,
        IncludeDeprecated: true,
      }).Versions as unknown[];
      mostVersions = Math.max(mostVersions, versions.length);
      // The next resolve comes as soon as the token it was given is due (a workflow calling non-stop).
      const expiresAt = Date.parse(String(resolved.fields.expiresAt ?? resolved.secrets.expiresAt));
      simulated = Math.max(simulated + 1000, refreshDueAt(expiresAt, simulated, REFRESH_MARGIN_MS) + 1000);
    }
    const accounting = service.secretsState.writeAccounting();
    return {
      simulatedDays: 7,
      accessTokenMinutes: 30,
      refreshes: provider.tokenCalls.length,
      writes: writeTimes.length,
      mostWritesIn24Hours: mostInWindow(writeTimes, DAY_MS),
      mostVersionsHeld: mostVersions,
      versionQuotaRefusals: accounting.versionQuotaRefusals,
      throttled: accounting.throttled,
      peakWritesPerSecond: accounting.peakWritesPerSecond,
    };
  } finally {
    await provider.stop();
    await service.stop();
  }
};

const HOUR_TOKEN_CREDENTIALS = 100_000;
const HOUR_MS = 3_600_000;
const SIMULATED_SECONDS = 2 * 86_400;

/** When each of `count` credentials was first connected: all in one minute, or over an hour. */
const connectedAt = (count: number, start: 'same minute' | 'over an hour') =>
  Array.from({ length: count }, (_, index) =>
    Math.floor((index / count) * (start === 'same minute' ? 60_000 : HOUR_MS)),
  );

/**
 * Plays the service's own rules second by second over two simulated days, for credentials too many
 * for the local stack. `schedule(index, nowMs)` gives when a credential next needs a write (or
 * undefined); `early(index, nowMs)` whether that write may wait for a later second (the budget of
 * `secretWritesPerSecond`) or must be made now.
 */
const playWrites = (
  count: number,
  firstDue: (index: number) => number,
  next: (index: number, nowMs: number) => number | undefined,
  early: (index: number, nowMs: number) => boolean,
) => {
  const budget = DEFAULT_REFRESH_SETTINGS.secretWritesPerSecond;
  const queue: number[][] = Array.from({ length: SIMULATED_SECONDS + 1 }, () => []);
  for (let index = 0; index < count; index++)
    queue[Math.min(SIMULATED_SECONDS, Math.ceil(firstDue(index) / 1000))]?.push(index);
  let peak = 0;
  let total = 0;
  let atOnce = 0;
  let waiting: number[] = [];
  for (let second = 0; second < SIMULATED_SECONDS; second++) {
    waiting = waiting.concat(queue[second] ?? []);
    const now = second * 1000;
    let written = 0;
    const later: number[] = [];
    for (const index of waiting) {
      const mayWait = early(index, now);
      if (mayWait && written >= budget) {
        later.push(index);
        continue;
      }
      if (!mayWait) atOnce++;
      written++;
      const due = next(index, now);
      if (due !== undefined && due / 1000 <= SIMULATED_SECONDS) queue[Math.ceil(due / 1000)]?.push(index);
    }
    waiting = later;
    peak = Math.max(peak, written);
    total += written;
  }
  return {
    peakWritesPerSecond: peak,
    averageWritesPerSecond: Math.round((total / SIMULATED_SECONDS) * 10) / 10,
    writtenWithoutWaiting: atOnce,
  };
};

/**
 * 100,000 OAuth2 credentials with 1-hour access tokens from a provider that keeps its refresh token
 * (Google, Salesforce), every one used non-stop. A refresh that only renews the access token keeps
 * it in memory and writes nothing; Secrets Manager is written by the daily scheduled check (a
 * refresh that proves the grant, stored), jittered per credential by `nextCheckAt` and waiting for
 * a second with a write to spare.
 */
const keptRefreshTokens = (start: 'same minute' | 'over an hour') => {
  const connected = connectedAt(HOUR_TOKEN_CREDENTIALS, start);
  const component = { verification: { kind: 'oauth2' as const }, provider: undefined, expiry: undefined };
  const check = (index: number, at: number) =>
    Date.parse(
      nextCheckAt(
        component,
        { id: `01J${String(index).padStart(23, '0')}.oauth2`, status: 'verified' },
        new Date(at),
        0,
        {
          intervalMs: DAY_MS,
        },
      ) ?? '',
    );
  return {
    provider: 'keeps its refresh token',
    start,
    ...playWrites(
      HOUR_TOKEN_CREDENTIALS,
      (index) => check(index, connected[index] as number),
      (index, now) => check(index, now),
      () => true,
    ),
  };
};

/**
 * The same with single-use refresh tokens: every refresh stores the new refresh token (one
 * version), so the floor is one write per credential per hour (27.8 a second for 100,000). An early
 * refresh (due 5 minutes before expiry) waits for a second with a write to spare; one with less
 * than a minute left is written at once.
 */
const rotatedRefreshTokens = (start: 'same minute' | 'over an hour') => {
  const obtained = connectedAt(HOUR_TOKEN_CREDENTIALS, start);
  const due = (at: number) => refreshDueAt(at + HOUR_MS, at, REFRESH_MARGIN_MS);
  return {
    provider: 'rotates its refresh token',
    start,
    ...playWrites(
      HOUR_TOKEN_CREDENTIALS,
      (index) => due(obtained[index] as number),
      (index, now) => {
        obtained[index] = now;
        return due(now);
      },
      (index, now) => (obtained[index] as number) + HOUR_MS - now > EARLY_REFRESH_FLOOR_MS,
    ),
  };
};

/** `npm run bench -- --refresh`: Secrets Manager versions and write rates for the two workloads. */
export const benchSecretWrites = async (dynamoDbEndpoint: string) => ({
  regionWriteRatePerSecond: REGION_WRITE_RATE_PER_SECOND,
  rotatingWeek: await rotatingWeek(dynamoDbEndpoint),
  hourTokens: {
    credentials: HOUR_TOKEN_CREDENTIALS,
    simulatedSeconds: SIMULATED_SECONDS,
    writesPerSecondBudget: DEFAULT_REFRESH_SETTINGS.secretWritesPerSecond,
    rows: [
      keptRefreshTokens('same minute'),
      keptRefreshTokens('over an hour'),
      rotatedRefreshTokens('same minute'),
      rotatedRefreshTokens('over an hour'),
    ],
  },
});
