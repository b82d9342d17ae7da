import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { removedCredentials } from '../../functions/purge-deleted-secrets/removed-credentials.ts';
import { type StreamPoller, startStreamPoller } from '../../local/stream-poller.ts';
import { fromAttributes, toAttributes } from '../../shared/adapters/dynamodb/table-layout.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { toProblem } from '../../shared/errors/problem.ts';
import { resolveCredential } from '../../shared/use-cases/resolve-credential.ts';
import { purgeDeletedSecrets, sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';
import { type FaultAction, type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';
import { type RotatingTokenServer, startRotatingTokenServer } from '../support/rotating-token-server.ts';

type Outcome = { status: number; code?: string };

interface Flow {
  readonly name: string;
  /** Builds what the action needs (no faults), returns the action and its client retry. */
  setup(tenant: string): Promise<{ act: () => Promise<Outcome>; retry: () => Promise<Outcome> }>;
}

/**
 * A fault on every AWS call of every write path (refused before it reaches AWS, or applied and its
 * answer lost, once or every time), then the client's retry, then the durable clean-up (stream
 * purger, sweeper). After each: no secret without an item that nothing will remove, no item
 * without its secret, counts and references equal to the items, one credential per Idempotency-Key,
 * and never a 500.
 */
describe('faults on every AWS call: invariants hold after the fault and after a retry', () => {
  let service: LocalService;
  let dynamoProxy: FaultProxy;
  let secretsProxy: FaultProxy;
  let provider: RotatingTokenServer;
  let direct: DynamoDBClient;
  let poller: StreamPoller;
  let cases = 0;
  const broken: string[] = [];

  beforeAll(async () => {
    service = await startLocalService({
      overrides: { verifier: acceptingVerifier },
      routeThrough: async (kind, endpoint) => {
        const proxy = await startFaultProxy(endpoint);
        if (kind === 'dynamodb') dynamoProxy = proxy;
        else secretsProxy = proxy;
        return proxy.url;
      },
    });
    provider = await startRotatingTokenServer();
    service.allowVerificationTarget(provider.url);
    direct = new DynamoDBClient({
      endpoint: inject('dynamoDbEndpoint'),
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    poller = await startStreamPoller({
      dynamoDb: direct,
      endpoint: inject('dynamoDbEndpoint'),
      tableName: service.config.tableName,
      consume: (event) =>
        purgeDeletedSecrets(
          service.deps,
          removedCredentials(event).map((entry) => entry.address),
        ),
      intervalMs: 0,
    });
  });
  afterAll(async () => {
    poller.stop();
    direct.destroy();
    await provider.stop();
    await dynamoProxy.stop();
    await secretsProxy.stop();
    await service.stop();
  });

  const http = async (
    tenant: string,
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => {
    const response = await service.api(method, path, { token: await service.token(tenant), body, headers });
    return { status: response.status, code: response.body?.code as string | undefined, body: response.body };
  };
  const petstore = (apiKey: string) => ({ componentId: 'petstore', fields: { apiKey } });
  const createOk = async (tenant: string, apiKey: string) =>
    (await http(tenant, 'POST', '/credentials', petstore(apiKey))).body.id as string;
  const activate = (tenant: string, flowId: string, credentialId: string) =>
    http(tenant, 'PUT', `/flows/${flowId}`, {
      name: flowId,
      status: 'active',
      steps: [{ stepId: 's', componentId: credentialId.split('.')[1], credentialId }],
    });

  const flows: Flow[] = [
    {
      name: 'create',
      async setup(tenant) {
        const send = () =>
          http(tenant, 'POST', '/credentials', petstore('k-create'), { 'idempotency-key': `key-${tenant}` });
        return { act: send, retry: send };
      },
    },
    {
      name: 'PATCH a secret',
      async setup(tenant) {
        const id = await createOk(tenant, 'k-old');
        const send = () =>
          http(tenant, 'PATCH', `/credentials/${id}`, { fields: { apiKey: 'k-new' } }, { 'if-match': '"1"' });
        return { act: send, retry: send };
      },
    },
    {
      name: 'delete',
      async setup(tenant) {
        const id = await createOk(tenant, 'k-delete');
        const send = () => http(tenant, 'DELETE', `/credentials/${id}`);
        return { act: send, retry: send };
      },
    },
    {
      name: 'put-flow',
      async setup(tenant) {
        const id = await createOk(tenant, 'k-flow');
        const send = () => activate(tenant, 'f1', id);
        return { act: send, retry: send };
      },
    },
    {
      name: 'replace',
      async setup(tenant) {
        const from = await createOk(tenant, 'k-from');
        const to = await createOk(tenant, 'k-to');
        await activate(tenant, 'f1', from);
        const send = () => http(tenant, 'POST', `/credentials/${from}/replace`, { replacementId: to });
        return { act: send, retry: send };
      },
    },
    {
      name: 'refresh',
      async setup(tenant) {
        const created = await http(tenant, 'POST', '/credentials', {
          componentId: 'oauth2',
          fields: {
            tokenUrl: provider.tokenUrl,
            clientId: 'c',
            accessToken: 'expired',
            refreshToken: provider.issueFamily(),
            expiresAt: new Date(Date.now() - 60_000).toISOString(),
          },
        });
        const id = created.body.id as string;
        await activate(tenant, 'f1', id);
        const container = buildResolveDependencies(service.deps, {
          cacheTtlMs: 0,
          refreshMarginMs: 60_000,
          refresh: {
            tokenTimeoutMs: 500,
            storeBudgetMs: 150,
            clockSkewMs: 50,
            leaseWaitMs: 1500,
            backoffMs: 100,
          },
        });
        const send = async (): Promise<Outcome> => {
          try {
            await resolveCredential(
              container,
              { tenantId: tenant, subject: 'wf' },
              {
                flowId: 'f1',
                stepId: 's',
                executionId: 'e',
                credentialId: id,
              },
            );
            return { status: 200 };
          } catch (error) {
            // What the workflow would receive: the one error mapping of the direct handler.
            const problem = toProblem(error);
            return { status: problem.status, code: problem.code };
          }
        };
        return {
          act: send,
          // The retry comes after any lease the fault left behind has expired.
          retry: async () => {
            await new Promise((resolve) => setTimeout(resolve, 1100));
            return send();
          },
        };
      },
    },
  ];

  const itemsOf = async (tenant: string) => {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
    do {
      const page = await direct.send(
        new QueryCommand({
          TableName: service.config.tableName,
          KeyConditionExpression: 'PK = :pk',
          ExpressionAttributeValues: toAttributes({ ':pk': `T#${tenant}` }),
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(page.Items ?? []).map(fromAttributes));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  /** Every invariant, after the durable clean-up has had its turn; returns what is broken. */
  const invariants = async (tenant: string, flow: string, outcomes: Outcome[]): Promise<string[]> => {
    await poller.pollOnce();
    await sweepSecrets(
      { ...service.deps, tenantScope: tenant, clock: { now: () => new Date(Date.now() + 20 * 60_000) } },
      Date.now() + 10_000,
    );
    const problems: string[] = [];
    const items = await itemsOf(tenant);
    const credentials = items.filter((item) => item.entity === 'credential');
    const secrets = service.secretsState
      .snapshot()
      .secrets.filter((secret) => secret.name.includes(`/${tenant}/`));
    const ids = new Set(credentials.map((credential) => String(credential.id)));
    for (const secret of secrets)
      if (secret.deletedDate === undefined && !ids.has(secret.name.split('/')[2] ?? ''))
        problems.push(`live secret without an item: ${secret.name}`);
    for (const credential of credentials) {
      const secret = secrets.find((candidate) => candidate.name.endsWith(`/${String(credential.id)}`));
      if (!secret || secret.deletedDate !== undefined)
        problems.push(`item without its secret: ${String(credential.id)}`);
      else if (!secret.versions.some((version) => version.versionId === credential.secretVersionId))
        problems.push(`item names a missing version: ${String(credential.id)}`);
      const uses = items.filter((item) => String(item.SK).startsWith(`USE#${String(credential.id)}#`));
      if (Number(credential.flowCount) !== uses.length)
        problems.push(`flowCount ${String(credential.flowCount)} ≠ ${uses.length}`);
      const active = uses.filter((use) => use.flowStatus === 'active').length;
      if (Number(credential.activeFlowCount) !== active) problems.push(`activeFlowCount ≠ ${active}`);
    }
    // A component's count is the sum of its shards.
    const counted = new Map<string, number>();
    for (const count of items.filter(
      (item) => item.entity === undefined && String(item.SK).startsWith('COUNT#'),
    )) {
      if (Number(count.credentialCount) < 0) problems.push(`a count shard below zero: ${String(count.SK)}`);
      counted.set(
        String(count.componentId),
        (counted.get(String(count.componentId)) ?? 0) + Number(count.credentialCount),
      );
    }
    for (const [componentId, total] of counted) {
      const actual = credentials.filter((credential) => credential.componentId === componentId).length;
      if (total !== actual) problems.push(`count of ${componentId} ${total} ≠ ${actual}`);
    }
    if (flow === 'create' && credentials.length > 1)
      problems.push(`${credentials.length} credentials for one Idempotency-Key`);
    for (const outcome of outcomes)
      if (outcome.status >= 500 && outcome.status !== 503)
        problems.push(`answered ${outcome.status} ${outcome.code ?? ''}`);
    return problems;
  };

  const actions: { action: FaultAction; calls?: number[]; label: string }[] = [
    { action: 'refuse', label: 'refused every time' },
    { action: 'drop', label: 'applied, answer lost every time' },
    { action: 'drop', calls: [1], label: 'applied, answer lost once' },
  ];

  it.each(flows.map((flow, index) => [flow.name, flow, index] as const))(
    '%s',
    async (_name, flow, flowIndex) => {
      // Which AWS calls this path makes, from a run without faults.
      const probe = `probe-${flowIndex}`;
      const { act: probeAct } = await flow.setup(probe);
      const before = { dynamo: dynamoProxy.operations.length, secrets: secretsProxy.operations.length };
      await probeAct();
      const operations = [
        ...new Set(dynamoProxy.operations.slice(before.dynamo).map((op) => ['dynamodb', op] as const)),
        ...new Set(
          secretsProxy.operations.slice(before.secrets).map((op) => ['secretsmanager', op] as const),
        ),
      ].filter(([, op], index, all) => all.findIndex(([, other]) => other === op) === index);
      expect(operations.length).toBeGreaterThan(0);

      let caseIndex = 0;
      for (const [kind, operation] of operations) {
        for (const { action, calls, label } of actions) {
          const tenant = `fault-${flowIndex}-${caseIndex++}`;
          const { act, retry } = await flow.setup(tenant);
          const proxy = kind === 'dynamodb' ? dynamoProxy : secretsProxy;
          proxy.setRule({ operation, action, ...(calls ? { calls } : {}) });
          const first = await act();
          proxy.setRule(null);
          const second = await retry();
          cases++;
          const problems = await invariants(tenant, flow.name, [first, second]);
          if (problems.length > 0)
            broken.push(`${flow.name} / ${operation} ${label}: ${problems.join('; ')}`);
        }
      }
      expect(broken).toEqual([]);
    },
    120_000,
  );

  it('ran a case for every call of every path', () => {
    expect(cases).toBeGreaterThanOrEqual(40);
    if (process.env.FAULT_MATRIX_REPORT)
      process.stdout.write(`fault matrix: ${cases} cases, ${broken.length} broken\n`);
  });
});
