import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialOperation } from '../../functions/create-credential/operation.ts';
import { getCredentialOperation } from '../../functions/get-credential/operation.ts';
import { createProxyHandler } from '../../functions/proxy-request/proxy-handler.ts';
import { createResolveHandler } from '../../functions/resolve-credential/resolve-handler.ts';
import { buildProxyDependencies } from '../../shared/composition/proxy-dependencies.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { createLambdaHandler } from '../../shared/lambda/lambda-handler.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const context = { awsRequestId: 'test' } as Context;

describe('direct invocation (Step Functions, EventBridge, Lambda invoke)', () => {
  let service: LocalService;
  beforeAll(async () => {
    service = await startLocalService();
  });
  afterAll(() => service.stop());

  it('creates and reads a credential with the documented event shape, under the same tenant rules', async () => {
    const create = createLambdaHandler(createCredentialOperation, service.deps);
    const get = createLambdaHandler(getCredentialOperation, service.deps);

    const created = (await create(
      {
        tenantId: 'tenant-sfn',
        actor: 'arn:aws:states:eu-west-1:1:stateMachine:sync',
        input: { body: { componentId: 'petstore', fields: { apiKey: 'k-1' } } },
      },
      context,
    )) as { credential: { id: string; createdBy: string }; created: boolean };
    const read = (await get(
      { tenantId: 'tenant-sfn', input: { credentialId: created.credential.id } },
      context,
    )) as { id: string };

    expect(created.created).toBe(true);
    // The event's actor is the caller's own claim: kept, and marked as asserted by an IAM-authorized invoker.
    expect(created.credential.createdBy).toBe('iam-asserted:arn:aws:states:eu-west-1:1:stateMachine:sync');
    expect(read.id).toBe(created.credential.id);
    await expect(
      get({ tenantId: 'tenant-other', input: { credentialId: created.credential.id } }, context),
    ).rejects.toMatchObject({
      name: 'not_found',
    });
  });

  it('records a direct caller the same way on every path: operations, resolve, proxy and report', async () => {
    const tenantId = 'tenant-sfn-actors';
    const token = await service.token(tenantId);
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', fields: { apiKey: 'k-actors' } },
    });
    const credentialId = created.body.id as string;
    await service.api('PUT', '/flows/actors', {
      token,
      body: {
        name: 'actors',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'petstore', credentialId }],
      },
    });
    const settings = { cacheTtlMs: 0, refreshMarginMs: 60_000, refresh: { leaseWaitMs: 5_000 } };
    const resolve = createResolveHandler(buildResolveDependencies(service.deps, settings));
    const proxy = createProxyHandler(buildProxyDependencies(service.deps, settings, service.config));
    const step = { tenantId, flowId: 'actors', stepId: 's' };
    await resolve({ ...step, executionId: 'run-1', actor: 'arn:aws:states:::execution:sync:run-1' }, context);
    await resolve({ ...step, executionId: 'run-2' }, context);
    await proxy({ ...step, executionId: 'run-3', request: { method: 'GET', path: '/pet/1' } }, context);
    await resolve({ ...step, executionId: 'run-4', reportRejected: true, upstreamStatus: 401 }, context);

    const audit = await service.api('GET', `/credentials/${credentialId}/audit`, { token });
    const actors = (audit.body.items as { action: string; actor: string }[])
      .filter((item) => ['resolved', 'proxied', 'reported'].includes(item.action))
      .map((item) => `${item.action} ${item.actor}`)
      .reverse();
    expect(actors).toEqual([
      'resolved iam-asserted:arn:aws:states:::execution:sync:run-1',
      'resolved iam-asserted:execution:run-2',
      'proxied iam-asserted:execution:run-3',
      'reported iam-asserted:execution:run-4',
    ]);
  });

  it('throws an error named by the problem code, with the problem as its message', async () => {
    const create = createLambdaHandler(createCredentialOperation, service.deps);
    const failure = await create(
      { tenantId: 'tenant-sfn', input: { body: { componentId: 'petstore', fields: {} } } },
      context,
    ).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('validation_failed');
    expect(JSON.parse((failure as Error).message)).toMatchObject({
      status: 400,
      errors: [{ path: 'fields.apiKey', message: 'is required' }],
    });
  });

  it('refuses an event without a valid tenant', async () => {
    const get = createLambdaHandler(getCredentialOperation, service.deps);
    await expect(get({ input: { credentialId: 'x' } }, context)).rejects.toMatchObject({
      name: 'validation_failed',
    });
    await expect(get({ tenantId: '../x', input: { credentialId: 'x' } }, context)).rejects.toMatchObject({
      name: 'validation_failed',
    });
  });

  it('refuses any other tenant in a per-tenant deployment, before any AWS call', async () => {
    const scoped = { ...service.deps, tenantScope: 'tenant-sfn' };
    const get = createLambdaHandler(getCredentialOperation, scoped);
    service.calls.reset();
    await expect(
      get({ tenantId: 'tenant-other', input: { credentialId: 'x' } }, context),
    ).rejects.toMatchObject({
      name: 'unauthorized',
    });
    expect(service.calls.calls).toEqual([]);
  });
});
