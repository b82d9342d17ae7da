import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCredentialOperation } from '../../functions/create-credential/operation.ts';
import { getCredentialOperation } from '../../functions/get-credential/operation.ts';
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
