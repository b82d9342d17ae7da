import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import type { RefreshSettings } from '../../shared/domain/refresh-timing.ts';
import { AppError } from '../../shared/errors/app-error.ts';
import type { RefreshLease } from '../../shared/ports/refresh-lease.ts';
import type { SecretStore } from '../../shared/ports/secret-store.ts';
import type { TokenRefresher } from '../../shared/ports/token-refresher.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import type { StepCredentialDependencies } from '../../shared/use-cases/step-credential.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';
import type { ProviderMode, RotatingTokenServer } from './rotating-token-server.ts';

/** Short timings so every failure, back-off and expired lease plays out in about a second. */
export const MATRIX_REFRESH: Partial<RefreshSettings> = {
  tokenTimeoutMs: 800,
  storeBudgetMs: 250,
  clockSkewMs: 100,
  leaseWaitMs: 3000,
  backoffMs: 300,
};

class InjectedFault extends Error {
  constructor(where: string) {
    super(`injected fault: ${where}`);
    this.name = 'InjectedFault';
  }
}

/** Where the first container's refresh is broken: before or after each step that can fail. */
export type Fault =
  | 'none'
  | 'tokenStoreFailsOnce'
  | 'commitFailsOnce'
  | 'commitAnswerLost'
  | 'crashAfterTokenCall'
  /** The holder dies once its tokens are stored, before the commit: the next rolls them forward. */
  | 'crashAfterTokenStore'
  /** The `sent` record of the attempt is applied and its answer lost (the token not yet presented). */
  | 'recordAttemptAnswerLost'
  /** After the provider answered, another holder takes the lease over (a clock beyond the skew). */
  | 'leaseLostAfterTokenCall'
  /** After the provider answered, Secrets Manager refuses the next 4 writes (about a second). */
  | 'secretsOutageAfterAnswer';

export interface Scenario {
  readonly name: string;
  readonly mode?: ProviderMode;
  readonly fault?: Fault;
  /** What must hold at the end. */
  readonly expect: 'verified' | 'invalid';
  /** Presentations of a spent refresh token that cannot be told apart from an outage (502 after commit). */
  readonly toleratedReuses?: number;
  /** Token endpoint calls over the whole scenario: one refresh, plus one retry after an outage. */
  readonly tokenCalls: number;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'nothing fails', tokenCalls: 1, expect: 'verified' },
  {
    name: 'slower than the client timeout, after the commit',
    mode: { kind: 'slowAfterCommit', delayMs: 1500 },
    tokenCalls: 1,
    expect: 'invalid',
  },
  {
    name: 'provider outage (503, no commit)',
    mode: { kind: 'unavailable', status: 503 },
    tokenCalls: 2,
    expect: 'verified',
  },
  {
    name: 'rate limited (429, no commit)',
    mode: { kind: 'unavailable', status: 429 },
    tokenCalls: 2,
    expect: 'verified',
  },
  {
    name: '502 after the commit',
    mode: { kind: 'badGatewayAfterCommit' },
    tokenCalls: 2,
    expect: 'invalid',
    toleratedReuses: 1,
  },
  {
    name: 'truncated JSON after the commit',
    mode: { kind: 'truncatedAfterCommit' },
    tokenCalls: 1,
    expect: 'invalid',
  },
  {
    name: 'empty access_token after the commit',
    mode: { kind: 'emptyAccessTokenAfterCommit' },
    tokenCalls: 1,
    expect: 'invalid',
  },
  { name: 'expires_in = 1e13', mode: { kind: 'normal', expiresIn: 1e13 }, tokenCalls: 1, expect: 'verified' },
  {
    name: 'expires_in missing',
    mode: { kind: 'normal', expiresIn: undefined },
    tokenCalls: 1,
    expect: 'verified',
  },
  // Expired as issued: each round of concurrent resolves refreshes once (single flight), none
  // reuses a token the provider considers expired.
  { name: 'expires_in = 0', mode: { kind: 'normal', expiresIn: 0 }, tokenCalls: 2, expect: 'verified' },
  { name: 'expires_in = -30', mode: { kind: 'normal', expiresIn: -30 }, tokenCalls: 2, expect: 'verified' },
  { name: 'token version store fails once', fault: 'tokenStoreFailsOnce', tokenCalls: 1, expect: 'verified' },
  { name: 'DynamoDB commit fails once', fault: 'commitFailsOnce', tokenCalls: 1, expect: 'verified' },
  { name: 'DynamoDB commit answer lost', fault: 'commitAnswerLost', tokenCalls: 1, expect: 'verified' },
  {
    name: 'holder dies right after the token call',
    fault: 'crashAfterTokenCall',
    tokenCalls: 1,
    expect: 'invalid',
  },
  {
    name: 'holder dies after storing the tokens',
    fault: 'crashAfterTokenStore',
    tokenCalls: 1,
    expect: 'verified',
  },
  // The token was never presented: the next holder refreshes as usual.
  { name: 'attempt record answer lost', fault: 'recordAttemptAnswerLost', tokenCalls: 1, expect: 'verified' },
  // The holder that lost its lease writes no current version; the next rolls its staged answer forward.
  {
    name: 'lease lost during the stores',
    fault: 'leaseLostAfterTokenCall',
    tokenCalls: 1,
    expect: 'verified',
  },
  {
    name: 'Secrets Manager refuses writes after the answer',
    fault: 'secretsOutageAfterAnswer',
    tokenCalls: 1,
    expect: 'verified',
  },
];

export interface MatrixRow {
  readonly scenario: string;
  readonly tokenCalls: number;
  readonly reuses: number;
  readonly finalStatus: string;
  readonly statusReason: string | null;
  readonly errorCodes: Record<string, number>;
  /** A verified credential whose stored tokens the provider no longer honours. */
  readonly verifiedWithRevokedTokens: boolean;
  /** What the faulty container did that it must never do (a lost holder writing AWSCURRENT). */
  readonly violations: readonly string[];
  /** The injected fault did happen (a scenario that misses its fault proves nothing). */
  readonly faultFired: boolean;
  readonly holds: boolean;
}

export interface MatrixService {
  readonly deps: UseCaseDependencies;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field
  api(method: string, path: string, options: { token: string; body?: unknown }): Promise<{ body: any }>;
}

/** Wraps the ports of one container so that its refresh breaks where the fault says, once. */
const faulty = (
  base: UseCaseDependencies,
  fault: Fault,
  fired: () => void,
  onAcquired: () => void = () => {},
  violated: (what: string) => void = () => {},
): UseCaseDependencies => {
  let armed = fault !== 'none';
  let refusedWrites = 0;
  let leaseLost = false;
  const outage = (where: string) => {
    if (refusedWrites > 0) {
      refusedWrites--;
      throw new InjectedFault(`Secrets Manager refused ${where}`);
    }
  };
  const fire = (where: Fault) => {
    if (armed && fault === where) {
      armed = false;
      fired();
      return true;
    }
    return false;
  };
  // A dead container never releases its lease: the next holder waits for it to expire.
  let dead = false;
  const leaseOf: { current: [string, string] } = { current: ['', ''] };
  const secrets: SecretStore = {
    ...base.secrets,
    async putVersion(...args) {
      outage('the tokens');
      if (fire('tokenStoreFailsOnce')) throw new InjectedFault('before storing the tokens');
      const stored = await base.secrets.putVersion(...args);
      if (fire('crashAfterTokenStore')) {
        dead = true;
        throw new InjectedFault('container died after storing the tokens');
      }
      return stored;
    },
  };
  const leases: RefreshLease = {
    ...base.leases,
    async acquire(...args) {
      const result = await base.leases.acquire(...args);
      leaseOf.current = [args[0], args[1]];
      if (result.acquired) {
        // A new holding in this container: what it commits is its own, not the lost holder's.
        leaseLost = false;
        onAcquired();
      }
      return result;
    },
    async recordAttempt(holding, attempt) {
      const recorded = await base.leases.recordAttempt(holding, attempt);
      if (attempt.state === 'sent' && fire('recordAttemptAnswerLost'))
        throw new InjectedFault('attempt record answer lost');
      return recorded;
    },
    async commit(...args) {
      if (fire('commitFailsOnce')) throw new InjectedFault('before the commit');
      const outcome = await base.leases.commit(...args);
      // It may store the tokens it holds (the next holder rolls them forward), never commit them.
      if (leaseLost && outcome === 'committed') violated('a holder that lost its lease committed');
      if (fire('commitAnswerLost')) throw new InjectedFault('commit answer lost');
      return outcome;
    },
    async release(holding) {
      if (!dead) await base.leases.release(holding);
    },
  };
  const tokens: TokenRefresher = {
    ...base.tokens,
    async exchange(values, timeoutMs) {
      const exchange = await base.tokens.exchange(values, timeoutMs);
      if (fire('secretsOutageAfterAnswer')) refusedWrites = 4;
      if (fire('leaseLostAfterTokenCall')) {
        // Another container, its clock far ahead, takes the lease over (and lets it go at once).
        leaseLost = true;
        const [tenantId, credentialId] = leaseOf.current;
        const taken = await base.leases.acquire(
          tenantId,
          credentialId,
          'another-holder',
          new Date(Date.now() + 3_600_000),
          1000,
          0,
        );
        if (taken.acquired) await base.leases.release(taken.holding);
        else violated('the takeover did not happen');
      }
      if (fire('crashAfterTokenCall')) {
        dead = true;
        throw new InjectedFault('container died after the token call');
      }
      return exchange;
    },
  };
  return { ...base, secrets, leases, tokens };
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One scenario: an expired OAuth2 credential used by an active flow, 10 concurrent resolves across
 * 5 containers while the provider or a store fails, then 5 more once things are well again.
 */
export const runScenario = async (
  service: MatrixService,
  provider: RotatingTokenServer,
  token: string,
  tenantId: string,
  scenario: Scenario,
  index: number,
): Promise<MatrixRow> => {
  const refreshToken = provider.issueFamily();
  const created = await service.api('POST', '/credentials', {
    token,
    body: {
      componentId: 'oauth2',
      fields: {
        tokenUrl: provider.tokenUrl,
        clientId: 'client-1',
        accessToken: 'expired-access',
        refreshToken,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    },
  });
  const credentialId = created.body.id as string;
  const flowId = `matrix-${index}`;
  await service.api('PUT', `/flows/${flowId}`, {
    token,
    body: { name: flowId, status: 'active', steps: [{ stepId: 's', componentId: 'oauth2', credentialId }] },
  });
  let faultFired = false;
  const violations: string[] = [];
  // The faulty container must be the lease holder: the others start only once it holds the lease
  // (or its resolve ended), whatever the machine's load, so the fault is met every time.
  let holderReady: () => void = () => {};
  const holding = new Promise<void>((resolve) => {
    holderReady = resolve;
  });
  const container = (fault: Fault, onAcquired?: () => void): StepCredentialDependencies =>
    buildResolveDependencies(
      faulty(
        service.deps,
        fault,
        () => {
          faultFired = true;
        },
        onAcquired,
        (what) => violations.push(what),
      ),
      {
        cacheTtlMs: 0,
        refreshMarginMs: 60_000,
        refresh: MATRIX_REFRESH,
      },
    );
  const presentedBefore = provider.presented.length;
  const reusesBefore = provider.reuses();
  const errorCodes: Record<string, number> = {};
  const round = async (
    containers: StepCredentialDependencies[],
    count: number,
    gate: Promise<void> = Promise.resolve(),
  ) =>
    Promise.all(
      Array.from({ length: count }, async (_, call) =>
        (call > 0 ? gate.then(() => sleep(30)) : Promise.resolve())
          .then(() =>
            resolveCredential(
              containers[call % containers.length] as StepCredentialDependencies,
              { tenantId, subject: 'wf' },
              {
                flowId,
                stepId: 's',
                executionId: `e-${call}`,
                credentialId,
              },
            ),
          )
          .catch((error: unknown) => {
            const code = error instanceof AppError ? error.code : (error as Error).name;
            errorCodes[code] = (errorCodes[code] ?? 0) + 1;
            return null;
          })
          .finally(() => {
            if (call === 0) holderReady();
          }),
      ),
    );

  if (scenario.mode) provider.setMode(scenario.mode);
  await round(
    [
      container(scenario.fault ?? 'none', () => holderReady()),
      ...Array.from({ length: 4 }, () => container('none')),
    ],
    10,
    holding,
  );
  // Well again: after the back-off, or after a dead holder's lease expired.
  await sleep(scenario.fault?.startsWith('crash') ? 1800 : 400);
  await round(
    Array.from({ length: 5 }, () => container('none')),
    5,
  );
  // A missing or zero expires_in must not make every resolve refresh.
  await round([container('none')], 3);

  const final = (await service.api('GET', `/credentials/${credentialId}`, { token })).body;
  const stored = (await service.deps.secrets.read({ tenantId, credentialId }, final.secretVersionId)).values;
  const verifiedWithRevokedTokens =
    final.status === 'verified' &&
    (!provider.isValidRefreshToken(String(stored.refreshToken)) ||
      !provider.isValidAccessToken(String(stored.accessToken)));
  const reuses = provider.reuses() - reusesBefore;
  const invalidReasonOk =
    final.status !== 'invalid' || /^(invalid_grant|refresh_response_lost)/.test(String(final.statusReason));
  return {
    scenario: scenario.name,
    tokenCalls: provider.presented.length - presentedBefore,
    reuses,
    finalStatus: final.status,
    statusReason: final.statusReason,
    errorCodes,
    verifiedWithRevokedTokens,
    violations,
    faultFired: faultFired || (scenario.fault ?? 'none') === 'none',
    holds:
      violations.length === 0 &&
      (faultFired || (scenario.fault ?? 'none') === 'none') &&
      reuses <= (scenario.toleratedReuses ?? 0) &&
      final.status === scenario.expect &&
      !verifiedWithRevokedTokens &&
      invalidReasonOk &&
      provider.presented.length - presentedBefore === scenario.tokenCalls &&
      // Every failure a workflow sees has a documented code (the injected crash is the test's own).
      Object.keys(errorCodes).every((code) =>
        ['upstream_unavailable', 'credential_invalid', 'InjectedFault'].includes(code),
      ),
  };
};
