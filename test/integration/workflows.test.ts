import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyHandler } from '../../functions/proxy-request/proxy-handler.ts';
import { createResolveHandler } from '../../functions/resolve-credential/resolve-handler.ts';
import { buildProxyDependencies } from '../../shared/composition/proxy-dependencies.ts';
import { buildResolveDependencies } from '../../shared/composition/resolve-dependencies.ts';
import { sensitiveForms } from '../../shared/domain/secret-masking.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

// aws-local-stepfunctions uses Promise.withResolvers, which Node has from 22 on.
if (!('withResolvers' in Promise)) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason: unknown) => void;
      const promise = new Promise<T>((yes, no) => {
        resolve = yes;
        reject = no;
      });
      return { promise, resolve, reject };
    },
  });
}
const { StateMachine } = await import('aws-local-stepfunctions');

const tenant = 'acme';
const apiKey = 'workflow-secret-key-0001';
const definition = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../docs/workflows/${name}.asl.json`, import.meta.url), 'utf8'));
const context = {
  awsRequestId: 'workflow-test',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

/** Runs a definition to its end, with every event of its history (each state's input and output). */
const run = async (
  asl: unknown,
  handlers: Record<string, (input: unknown) => Promise<unknown>>,
): Promise<{ result: unknown; history: unknown[] }> => {
  const execution = new StateMachine(asl as never, { validationOptions: { checkArn: true } }).run(
    {},
    {
      overrides: { taskResourceLocalHandlers: handlers as never },
      context: { Execution: { Id: 'arn:aws:states:eu-west-1:111111111111:execution:pet-sync:run-1' } },
    },
  );
  const history: unknown[] = [];
  for await (const event of execution.eventLogs) history.push(event);
  return { result: await execution.result.catch((error: unknown) => ({ failed: error })), history };
};

/**
 * As Step Functions sees a Lambda task fail: `Error` is the error's name, and `Cause` is the Node.js
 * runtime's error envelope as a string (the emulator alone would pass the message through as it is).
 */
const asLambda =
  (handler: (input: unknown) => Promise<unknown>) =>
  async (input: unknown): Promise<unknown> => {
    try {
      return await handler(input);
    } catch (error) {
      const failed = error as Error;
      const envelope = {
        errorType: failed.name,
        errorMessage: failed.message,
        trace: (failed.stack ?? '').split('\n'),
      };
      throw Object.assign(new Error(JSON.stringify(envelope)), { name: failed.name });
    }
  };

const holdsTheKey = (history: unknown[]) => {
  const text = JSON.stringify(history);
  return sensitiveForms({ apiKey }).some((form) => text.includes(form));
};

describe('the documented state machines, on a local Step Functions engine, against the real handlers', () => {
  let service: LocalService;
  let token: string;
  const stored: unknown[] = [];

  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token(tenant);
    const created = await service.api('POST', '/credentials', {
      token,
      body: { componentId: 'petstore', name: 'Pet shop', fields: { apiKey } },
    });
    await service.api('PUT', '/flows/pet-sync', {
      token,
      body: {
        name: 'Pet sync',
        status: 'active',
        steps: [{ stepId: 'fetch', componentId: 'petstore', credentialId: created.body.id }],
      },
    });
  });
  afterAll(() => service.stop());

  const settings = { cacheTtlMs: 30_000, refreshMarginMs: 60_000, refresh: { leaseWaitMs: 5_000 } };
  const proxyHandler = () => {
    const handler = createProxyHandler(buildProxyDependencies(service.deps, settings, service.config));
    return (input: unknown) => handler(input, context);
  };

  it('runs the proxy flow end to end, and the secret appears nowhere in its history', async () => {
    const { result, history } = await run(definition('pet-sync-proxy'), {
      FetchPets: proxyHandler(),
      StorePets: async (input) => {
        stored.push(input);
        return { stored: (input as { pets: unknown[] }).pets.length };
      },
    });
    expect(result).toEqual({ stored: 1 });
    expect(stored).toEqual([{ pets: [{ id: 1, name: 'Rex', status: 'available' }] }]);
    expect(history.length).toBeGreaterThan(4);
    expect(holdsTheKey(history)).toBe(false);
  });

  it('runs the resolve flow, whose history holds the secret: what docs/workflows.md warns of', async () => {
    const resolve = createResolveHandler(buildResolveDependencies(service.deps, settings));
    const { result, history } = await run(definition('pet-sync-resolve'), {
      GetCredential: (input) => resolve(input, context),
      FetchPets: async (input) => {
        const response = await fetch(`${service.petstore.baseUrl}/pet/findByStatus?status=available`, {
          headers: { api_key: String((input as { apiKey: string }).apiKey) },
        });
        return { pets: await response.json() };
      },
    });
    expect(result).toEqual({ pets: [{ id: 1, name: 'Rex', status: 'available' }] });
    expect(holdsTheKey(history)).toBe(true);
  });

  it('routes a refusal by its code: a paused flow ends quietly, with the problem in Cause', async () => {
    const flow = await service.api('GET', '/flows/pet-sync', { token });
    await service.api('PUT', '/flows/pet-sync', {
      token,
      body: { name: 'Pet sync', status: 'inactive', steps: flow.body.steps },
      headers: { 'if-match': `"${flow.body.version}"` },
    });
    const { result, history } = await run(definition('pet-sync-proxy'), {
      FetchPets: asLambda(proxyHandler()),
      StorePets: async () => {
        throw new Error('not reached');
      },
    });
    // What the definition read out of Lambda's error envelope, with the intrinsics it documents.
    const paused = (result as { paused: { code: string; problem: Record<string, unknown> } }).paused;
    expect(paused.code).toBe('flow_not_active');
    expect(paused.problem).toMatchObject({
      code: 'flow_not_active',
      flowStatus: 'inactive',
      flowId: 'pet-sync',
    });
    expect(holdsTheKey(history)).toBe(false);
  });
});
