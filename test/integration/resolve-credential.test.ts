import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createResolveHandler } from '../../functions/resolve-credential/resolve-handler.ts';
import { localEventSink } from '../../local/local-event-sink.ts';
import { credentialKey, toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { secretName } from '../../shared/adapters/secrets-manager/secret-naming.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import type { StepCredentialDependencies } from '../../shared/use-cases/step-credential.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';
import { type OAuth2TestServer, startOAuth2TestServer } from '../support/oauth2-test-server.ts';
import { publishStreamOnce } from '../support/publish-stream.ts';
import { runTokenLifetime } from '../support/token-lifetime-run.ts';

const tenant = 'tenant-resolve';
const actor = { tenantId: tenant, subject: 'arn:aws:states:eu-west-1:1:execution:sync:run-1' };

describe('resolve: secret values for workflow steps', () => {
  let service: LocalService;
  let oauth: OAuth2TestServer;
  let token: string;
  /** A fresh "Lambda container": its own warm cache, the same table and secrets. */
  const container = (cacheTtlMs = 30_000): StepCredentialDependencies =>
    buildResolveDependencies(service.deps, {
      cacheTtlMs,
      refreshMarginMs: 60_000,
      refresh: { leaseWaitMs: 10_000 },
    });
  const create = async (body: unknown) =>
    (await service.api('POST', '/credentials', { token, body })).body.id as string;
  const activate = (
    flowId: string,
    steps: { stepId: string; componentId: string; credentialId: string }[],
    status = 'active',
  ) => service.api('PUT', `/flows/${flowId}`, { token, body: { name: flowId, status, steps } });
  const oauthCredential = (refreshToken: string, expiresAt = new Date(Date.now() - 60_000).toISOString()) =>
    create({
      componentId: 'oauth2',
      fields: {
        tokenUrl: oauth.tokenUrl,
        clientId: 'client-1',
        clientSecret: 'client-secret-1',
        accessToken: 'expired-access',
        refreshToken,
        expiresAt,
      },
    });

  beforeAll(async () => {
    // Verification is proved elsewhere; here credentials are stored as given (an expired token included).
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    oauth = await startOAuth2TestServer({ tokenDelayMs: 50 });
    service.allowVerificationTarget(oauth.url);
    token = await service.token(tenant);
  });
  afterAll(async () => {
    await oauth.stop();
    await service.stop();
  });

  it('returns plain and secret fields to an active flow step, then serves repeats from the warm cache', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'resolve-me-1' } });
    await activate('orders', [{ stepId: 'fetch', componentId: 'petstore', credentialId: id }]);
    const deps = container();
    const input = { flowId: 'orders', stepId: 'fetch', executionId: 'exec-1', credentialId: id };

    service.calls.reset();
    const first = await resolveCredential(deps, actor, input);
    const missCalls = [...service.calls.calls];
    const missRounds = service.calls.rounds();
    service.calls.reset();
    const second = await resolveCredential(deps, actor, input);

    expect(first).toMatchObject({
      credentialId: id,
      componentId: 'petstore',
      fields: {},
      secrets: { apiKey: 'resolve-me-1' },
    });
    expect(second.secrets).toEqual(first.secrets);
    // Three calls in turn: flow + credential (checked before any secret is read), the secret, then
    // the conditional audit write, which says `granted` once there is something to hand out.
    expect(missCalls).toEqual(['TransactGetItems', 'GetSecretValue', 'TransactWriteItems']);
    expect(missRounds).toBe(3);
    // One conditional write: the audit record, only while the step still uses the credential.
    expect(service.calls.calls).toEqual(['TransactWriteItems']);
  });

  it('never serves a warm copy of a credential changed since: re-connected or edited, it is read again', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'before-change' } });
    await activate('changes', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const deps = container();
    const input = { flowId: 'changes', stepId: 's', executionId: 'e', credentialId: id };
    expect((await resolveCredential(deps, actor, input)).secrets).toEqual({ apiKey: 'before-change' });
    const changed = await service.api('PATCH', `/credentials/${id}`, {
      token,
      body: { fields: { apiKey: 'after-change' } },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status).toBe(200);
    service.calls.reset();
    expect((await resolveCredential(deps, actor, input)).secrets).toEqual({ apiKey: 'after-change' });
    // The hit's conditional write found a newer version, so the credential was read again.
    expect(service.calls.calls.sort()).toEqual([
      'GetSecretValue',
      'TransactGetItems',
      'TransactWriteItems',
      'TransactWriteItems',
    ]);
  });

  it('also resolves from flow and step alone (one more read)', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'resolve-me-2' } });
    await activate('by-step', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const result = await resolveCredential(container(), actor, {
      flowId: 'by-step',
      stepId: 's',
      executionId: 'e',
    });
    expect(result.secrets).toEqual({ apiKey: 'resolve-me-2' });
  });

  it('resolves by flow and step in one round on a warm container, and follows the step when it is re-pointed', async () => {
    const first = await create({ componentId: 'petstore', fields: { apiKey: 'by-step-first' } });
    const second = await create({ componentId: 'petstore', fields: { apiKey: 'by-step-second' } });
    await activate('by-step-warm', [{ stepId: 's', componentId: 'petstore', credentialId: first }]);
    const deps = container(0);
    const input = { flowId: 'by-step-warm', stepId: 's', executionId: 'e' };
    service.calls.reset();
    expect((await resolveCredential(deps, actor, input)).secrets).toEqual({ apiKey: 'by-step-first' });
    expect(service.calls.rounds()).toBe(4);
    service.calls.reset();
    expect((await resolveCredential(deps, actor, input)).secrets).toEqual({ apiKey: 'by-step-first' });
    // Warm, the step's last credential is read at once (no read of the flow alone first).
    expect({ calls: [...service.calls.calls], rounds: service.calls.rounds() }).toEqual({
      calls: ['TransactGetItems', 'GetSecretValue', 'TransactWriteItems'],
      rounds: 3,
    });
    // Re-pointed: the remembered credential is refused by the round's own checks, then the flow is read.
    await activate('by-step-warm', [{ stepId: 's', componentId: 'petstore', credentialId: second }]);
    expect((await resolveCredential(deps, actor, input)).secrets).toEqual({ apiKey: 'by-step-second' });
  });

  it('shares the reads of identical concurrent misses in one container, each with its own audit record', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'concurrent' } });
    await activate('concurrent', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const deps = container(0);
    service.calls.reset();
    const resolved = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        resolveCredential(deps, actor, {
          flowId: 'concurrent',
          stepId: 's',
          executionId: `e-${index}`,
          credentialId: id,
        }),
      ),
    );
    expect(resolved.every((result) => result.secrets.apiKey === 'concurrent')).toBe(true);
    expect(service.calls.count('TransactWriteItems')).toBe(20);
    expect(service.calls.count('TransactGetItems')).toBe(1);
    expect(service.calls.count('GetSecretValue')).toBe(1);
  });

  it('refuses each cause with its own code, reads no secret to refuse, and records the refusal', async () => {
    const used = await create({ componentId: 'petstore', fields: { apiKey: 'k-used' } });
    const other = await create({ componentId: 'petstore', fields: { apiKey: 'k-other' } });
    await activate('guarded', [{ stepId: 'a', componentId: 'petstore', credentialId: used }]);
    await activate('paused', [{ stepId: 'a', componentId: 'petstore', credentialId: used }], 'inactive');
    const deps = container();
    const ask = (input: { flowId: string; stepId: string; credentialId?: string }, who = actor) =>
      resolveCredential(deps, who, { executionId: 'e', ...input });

    service.calls.reset();
    await expect(ask({ flowId: 'paused', stepId: 'a', credentialId: used })).rejects.toMatchObject({
      code: 'flow_not_active',
      extensions: { flowStatus: 'inactive' },
    });
    await expect(ask({ flowId: 'guarded', stepId: 'b', credentialId: used })).rejects.toMatchObject({
      code: 'step_not_found',
      extensions: { stepId: 'b' },
    });
    // A step re-pointed (by a replace, say): the answer names the credential it uses now.
    await expect(ask({ flowId: 'guarded', stepId: 'a', credentialId: other })).rejects.toMatchObject({
      code: 'credential_not_used_by_step',
      extensions: { currentCredentialId: used },
    });
    await expect(ask({ flowId: 'nope', stepId: 'a' })).rejects.toMatchObject({ code: 'flow_not_found' });
    // Another tenant's flow looks exactly like one that does not exist.
    const intruder = { tenantId: 'tenant-intruder', subject: 'x' };
    const [foreign, missing] = await Promise.all([
      ask({ flowId: 'guarded', stepId: 'a', credentialId: used }, intruder).catch((error: unknown) => error),
      ask({ flowId: 'no-such-flow', stepId: 'a', credentialId: used }, intruder).catch(
        (error: unknown) => error,
      ),
    ]);
    expect(foreign).toMatchObject({ code: 'flow_not_found' });
    expect((foreign as Error).message.replace('guarded', 'X')).toBe(
      (missing as Error).message.replace('no-such-flow', 'X'),
    );
    expect(service.calls.count('GetSecretValue')).toBe(0);

    const audit = await service.api('GET', `/credentials/${other}/audit`, { token });
    expect(audit.body.items[0]).toMatchObject({
      action: 'resolved',
      detail: 'refused:credential_not_used_by_step',
      flowId: 'guarded',
      stepId: 'a',
    });
  });

  it('refuses a credential that is invalid or lost its secret as credential_invalid, for every component', async () => {
    const invalid = await create({ componentId: 'petstore', fields: { apiKey: 'k-invalid' } });
    const lost = await create({ componentId: 'petstore', fields: { apiKey: 'k-lost' } });
    await activate('health', [
      { stepId: 'a', componentId: 'petstore', credentialId: invalid },
      { stepId: 'b', componentId: 'petstore', credentialId: lost },
    ]);
    // As re-verification leaves a revoked key, and as a secret deleted outside the service is found.
    await service.dynamoDb.send(
      new UpdateItemCommand({
        TableName: service.config.tableName,
        Key: credentialKey(tenant, invalid),
        UpdateExpression: 'SET #status = :invalid, statusReason = :reason',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: toAttributes({ ':invalid': 'invalid', ':reason': 'invalid_credentials' }),
      }),
    );
    await service.secretsManager.send(
      new DeleteSecretCommand({
        SecretId: secretName(service.config.secretPrefix, { tenantId: tenant, credentialId: lost }),
        ForceDeleteWithoutRecovery: true,
      }),
    );
    const deps = container();
    service.calls.reset();
    await expect(
      resolveCredential(deps, actor, { flowId: 'health', stepId: 'a', executionId: 'e' }),
    ).rejects.toMatchObject({ code: 'credential_invalid', extensions: { reason: 'invalid_credentials' } });
    expect(service.calls.count('GetSecretValue')).toBe(0);
    await expect(
      resolveCredential(deps, actor, { flowId: 'health', stepId: 'b', executionId: 'e' }),
    ).rejects.toMatchObject({ code: 'credential_invalid', extensions: { reason: 'secret_missing' } });
    const audit = await service.api('GET', `/credentials/${invalid}/audit`, { token });
    expect(audit.body.items.map((item: { detail?: string }) => item.detail)).not.toContain('granted');
  });

  it('refreshes an expired OAuth2 token exactly once for 50 concurrent resolves across 10 containers', async () => {
    const refreshToken = oauth.issueRefreshToken();
    const id = await oauthCredential(refreshToken);
    await activate('crm-sync', [{ stepId: 'pull', componentId: 'oauth2', credentialId: id }]);
    const callsBefore = oauth.tokenCalls.length;
    const containers = Array.from({ length: 10 }, () => container());

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        resolveCredential(containers[index % 10] as StepCredentialDependencies, actor, {
          flowId: 'crm-sync',
          stepId: 'pull',
          executionId: `exec-${index}`,
          credentialId: id,
        }),
      ),
    );

    const calls = oauth.tokenCalls.slice(callsBefore);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.refreshToken).toBe(refreshToken);
    const accessTokens = new Set(results.map((result) => result.secrets.accessToken));
    expect(accessTokens.size).toBe(1);
    expect([...accessTokens][0]).toMatch(/^at-/);
    expect(results.every((result) => result.secrets.refreshToken !== refreshToken)).toBe(true);
    // No refresh token was ever presented twice.
    const presented = oauth.tokenCalls.map((call) => call.refreshToken);
    expect(new Set(presented).size).toBe(presented.length);
    const stored = await service.api('GET', `/credentials/${id}`, { token });
    expect(stored.body).toMatchObject({ status: 'verified' });
    expect(Date.parse(stored.body.fields.expiresAt)).toBeGreaterThan(Date.now());
    const audit = await service.api('GET', `/credentials/${id}/audit?limit=100`, { token });
    expect(
      audit.body.items.filter((record: { action: string }) => record.action === 'refreshed'),
    ).toHaveLength(1);
    expect(
      audit.body.items.filter((record: { action: string }) => record.action === 'resolved'),
    ).toHaveLength(50);
  });

  it.each([
    // expires_in, token calls in 10 minutes (refreshed when a quarter of the lifetime is left)
    [60, 13],
    [120, 7],
    [300, 3],
  ])(
    'refreshes a %i s token when due: %i token calls for 150 resolves over 10 minutes',
    async (expiresIn, calls) => {
      const run = await runTokenLifetime(service, token, tenant, expiresIn);
      expect(run).toEqual({
        expiresInSeconds: expiresIn,
        resolves: 150,
        tokenCalls: calls,
        accessTokens: calls,
        handedOutExpired: false,
      });
    },
  );

  it.each([0, -30])(
    'reads expires_in %i as expired now: each resolve refreshes, nothing is cached',
    async (expiresIn) => {
      const run = await runTokenLifetime(service, token, tenant, expiresIn, { durationMs: 12_000 });
      expect(run).toEqual({
        expiresInSeconds: expiresIn,
        resolves: 3,
        tokenCalls: 3,
        accessTokens: 3,
        handedOutExpired: false,
      });
    },
  );

  it('marks the credential invalid on invalid_grant and says so', async () => {
    const id = await oauthCredential('rt-never-issued');
    await activate('broken', [{ stepId: 'pull', componentId: 'oauth2', credentialId: id }]);

    await expect(
      resolveCredential(container(), actor, {
        flowId: 'broken',
        stepId: 'pull',
        executionId: 'e',
        credentialId: id,
      }),
    ).rejects.toMatchObject({
      code: 'credential_invalid',
    });

    const stored = await service.api('GET', `/credentials/${id}`, { token });
    expect(stored.body).toMatchObject({
      status: 'invalid',
      statusReason: expect.stringContaining('invalid_grant'),
    });
    const audit = await service.api('GET', `/credentials/${id}/audit`, { token });
    expect(audit.body.items.map((record: { action: string }) => record.action)).toContain('invalidated');
  });

  it('is invocable directly with the documented event, and refuses a malformed one by name', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'direct-1' } });
    await activate('direct', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const handler = createResolveHandler(container());
    const context = { awsRequestId: 'r' } as Context;

    const result = await handler(
      { tenantId: tenant, flowId: 'direct', stepId: 's', executionId: 'arn:exec:1', credentialId: id },
      context,
    );
    expect(result).toMatchObject({ secrets: { apiKey: 'direct-1' } });
    await expect(handler({ tenantId: tenant, flowId: 'direct' }, context)).rejects.toMatchObject({
      name: 'validation_failed',
    });
  });

  it('lists audit records per credential for its tenant only, and never a value', async () => {
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'audited-key' } });
    await service.api('PATCH', `/credentials/${id}`, {
      token,
      body: { name: 'renamed' },
      headers: { 'if-match': '"1"' },
    });
    const mine = await service.api('GET', `/credentials/${id}/audit`, { token });
    const theirs = await service.api('GET', `/credentials/${id}/audit`, {
      token: await service.token('tenant-else'),
    });

    expect(mine.body.items.map((record: { action: string }) => record.action)).toEqual([
      'updated',
      'created',
    ]);
    expect(mine.body.items[0]).toMatchObject({
      actor: `user@${tenant}`,
      credentialId: id,
      at: expect.any(String),
    });
    expect(theirs.body.items).toEqual([]);
    expect(mine.text).not.toContain('audited-key');
  });

  it('publishes lifecycle events from the audit records on the table stream, not resolves', async () => {
    const sink = localEventSink();
    const id = await create({ componentId: 'petstore', fields: { apiKey: 'evented' } });
    await activate('evented-flow', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    await resolveCredential(container(), actor, {
      flowId: 'evented-flow',
      stepId: 's',
      executionId: 'e',
      credentialId: id,
    });
    await service.api('DELETE', '/flows/evented-flow', { token });
    await service.api('DELETE', `/credentials/${id}`, { token });

    await publishStreamOnce(service, sink);

    const mine = sink.events.filter(
      (event) => 'credentialId' in event.detail && event.detail.credentialId === id,
    );
    expect(mine.map((event) => event['detail-type'])).toEqual(['credential.created', 'credential.deleted']);
    expect(mine[0]).toMatchObject({
      source: 'credentials-service',
      resources: [`credentials-service:${tenant}:credential/${id}`],
      detail: {
        tenantId: tenant,
        componentId: 'petstore',
        credentialName: 'Petstore API account',
        flows: [],
      },
    });
    expect(JSON.stringify(sink.events)).not.toContain('evented"');
  });
});
