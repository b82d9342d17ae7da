import { seededCredential } from '../local/seeded-credential.ts';
import { credentialItem, type Key } from '../shared/adapters/dynamodb/table-layout.ts';
import { bindSecret } from '../shared/domain/secret-binding.ts';
import { JOIN_DONE, JOIN_PASS } from '../shared/use-cases/join-schedule.ts';
import type { UseCaseDependencies } from '../shared/use-cases/use-case-dependencies.ts';
import { verifyDueCredentials } from '../shared/use-cases/verify-due-credentials.ts';
import { startOAuth2TestServer } from '../test/support/oauth2-test-server.ts';
import type { BenchStack } from './local-stack.ts';
import { writeAll } from './seed.ts';

const DAY = 86_400_000;
const ULID_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulidOf = (prefix: string, index: number): string => {
  let body = '';
  for (let value = index, digit = 0; digit < 14; digit++, value = Math.floor(value / 32))
    body = ULID_CHARS[value % 32] + body;
  return `01JC${prefix}0000000${body}`.slice(0, 26);
};

/**
 * A tenant of `total` Petstore credentials of which the first `due` are due now (with real secrets,
 * so each check is a real one) and the rest due in the coming weeks.
 */
const seedTenant = async (stack: BenchStack, tenantId: string, total: number, due: number) => {
  const component = stack.deps.components.get('petstore');
  const items: Key[] = [];
  const now = Date.now();
  const dueOnes: string[] = [];
  for (let index = 0; index < total; index++) {
    const id = `${ulidOf({ 'health-large': 'L', 'health-small': 'S' }[tenantId] ?? 'W', index)}.petstore`;
    const isDue = index < due;
    if (isDue) dueOnes.push(id);
    items.push(
      credentialItem(
        seededCredential({
          tenantId,
          id,
          componentId: 'petstore',
          checkDueAt: new Date(isDue ? now - 60_000 : now + (1 + (index % 20)) * DAY).toISOString(),
        }),
      ),
    );
  }
  await writeAll(stack.dynamoDb, stack.config.tableName, items);
  // Every item has its due time: the one pass that gives older credentials theirs is behind it.
  await stack.deps.credentials.saveSweepPosition(tenantId, JOIN_PASS, JOIN_DONE);
  // The due ones get their secret, bound as the service binds it, and the item names its version.
  const versions = await Promise.all(
    dueOnes.map(async (credentialId) => ({
      credentialId,
      versionId: await stack.deps.secrets.create(
        { tenantId, credentialId },
        bindSecret(component, {}, { apiKey: `bench-${credentialId}` }),
      ),
    })),
  );
  await writeAll(
    stack.dynamoDb,
    stack.config.tableName,
    versions.map(({ credentialId, versionId }) =>
      credentialItem(
        seededCredential({
          tenantId,
          id: credentialId,
          componentId: 'petstore',
          secretVersionId: versionId,
          checkDueAt: new Date(now - 60_000).toISOString(),
        }),
      ),
    ),
  );
};

/** Runs until nothing is due, counting AWS calls and time per credential checked. */
const drain = async (stack: BenchStack, tenantId: string) => {
  stack.calls.reset();
  const started = performance.now();
  let checked = 0;
  for (;;) {
    const report = await verifyDueCredentials(stack.deps, tenantId, {
      deadline: Date.now() + 600_000,
      perComponent: 100_000,
      concurrency: 8,
    });
    checked += report.checked;
    if (report.checked === 0) break;
  }
  const ms = performance.now() - started;
  return {
    checked,
    awsCallsPerCheck: Math.round((stack.calls.calls.length / checked) * 100) / 100,
    queries: stack.calls.count('Query'),
    msPerCheck: Math.round((ms / checked) * 100) / 100,
  };
};

/** A revoked key, a 1-minute interval and the 15-second local schedule, on a simulated clock. */
const revocationToInvalidated = async (stack: BenchStack) => {
  const tenantId = 'health-revoke';
  const token = await stack.issuer.sign(tenantId);
  const minute: UseCaseDependencies = { ...stack.deps, health: { intervalMs: 60_000 } };
  let offset = 0;
  const at = (): UseCaseDependencies => ({ ...minute, clock: { now: () => new Date(Date.now() + offset) } });
  await stack.api('POST', '/credentials', token, {
    componentId: 'petstore',
    fields: { apiKey: 'revoke-me' },
  });
  // A day on, its first scheduled check passes; from then on it is checked every minute (±10 %).
  offset = 1.2 * DAY;
  await verifyDueCredentials(at(), tenantId, { deadline: Date.now() + 30_000 });
  await fetch(`${stack.petstore.baseUrl}/demo/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ apiKey: 'revoke-me' }),
  });
  const revokedAt = offset;
  for (let run = 1; run <= 20; run++) {
    offset += 15_000;
    const report = await verifyDueCredentials(at(), tenantId, { deadline: Date.now() + 30_000 });
    if (report.invalid > 0) return { simulatedSeconds: (offset - revokedAt) / 1000, runs: run };
  }
  return { simulatedSeconds: null, runs: 20 };
};

/** 100 idle OAuth2 credentials, a 7-day keep-alive, hourly runs over a simulated month. */
const idleOAuthMonth = async (stack: BenchStack) => {
  const oauth = await startOAuth2TestServer();
  stack.allowVerificationTarget(oauth.url);
  const tenantId = 'health-oauth';
  const token = await stack.issuer.sign(tenantId);
  try {
    for (let index = 0; index < 100; index++)
      await stack.api('POST', '/credentials', token, {
        componentId: 'oauth2',
        fields: {
          tokenUrl: oauth.tokenUrl,
          clientId: 'client-1',
          clientSecret: 'client-secret-1',
          accessToken: 'idle',
          refreshToken: oauth.issueRefreshToken(),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        },
      });
    const atSave = oauth.tokenCalls.length;
    const week: UseCaseDependencies = { ...stack.deps, health: { intervalMs: 7 * DAY } };
    for (let hour = 1; hour <= 30 * 24; hour++) {
      const at = { ...week, clock: { now: () => new Date(Date.now() + hour * 3_600_000) } };
      await verifyDueCredentials(at, tenantId, { deadline: Date.now() + 30_000 });
    }
    const presented = oauth.tokenCalls.slice(atSave).map((call) => call.refreshToken);
    return {
      credentials: 100,
      simulatedDays: 30,
      keepAliveDays: 7,
      tokenCalls: presented.length,
      tokenCallsPerCredential: presented.length / 100,
      refreshTokenReuses: presented.length - new Set(presented).size,
    };
  } finally {
    await oauth.stop();
  }
};

/**
 * The scheduled check's cost follows what is due, not the tenant's size: 1,000 due among 100,000
 * against 1,000 due among 1,000; the delay from a key's revocation to `invalidated`; and the token
 * calls that keep idle OAuth2 connections alive for a month.
 */
export const benchHealth = async (stack: BenchStack, large = 100_000) => {
  await seedTenant(stack, 'health-large', large, 1000);
  await seedTenant(stack, 'health-small', 1000, 1000);
  await seedTenant(stack, 'health-warmup', 500, 500);
  // DynamoDB Local's JVM is slower on whatever runs first: a throwaway run warms it up.
  await drain(stack, 'health-warmup');
  const inLarge = await drain(stack, 'health-large');
  const inSmall = await drain(stack, 'health-small');
  return {
    dueRuns: {
      [`1,000 due of ${large.toLocaleString('en')}`]: inLarge,
      '1,000 due of 1,000': inSmall,
      msPerCheckRatio: Math.round((inLarge.msPerCheck / inSmall.msPerCheck) * 100) / 100,
      awsCallsPerCheckRatio: Math.round((inLarge.awsCallsPerCheck / inSmall.awsCallsPerCheck) * 100) / 100,
    },
    revocationToInvalidated: await revocationToInvalidated(stack),
    idleOAuthMonth: await idleOAuthMonth(stack),
    note: 'Local: DynamoDB Local and the loopback Petstore. Revocation and the month are on a simulated clock (runs every 15 s and every hour).',
  };
};
