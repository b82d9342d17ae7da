import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { credentialKey } from '../shared/adapters/dynamodb/table-layout.ts';
import { type BenchStack, interleaved, timed } from './local-stack.ts';

const lambdaContext = { awsRequestId: 'bench' } as Context;

const petstore = { componentId: 'petstore', fields: { apiKey: 'bench-key' } };

/** AWS calls per operation, counted by the SDK middleware, and end-to-end latency via the gateway. */
export const benchApi = async (stack: BenchStack, runs: number) => {
  const token = await stack.issuer.sign('bench-tenant');
  const callsOf = async (run: () => Promise<unknown>) => {
    stack.calls.reset();
    await run();
    return [...stack.calls.calls];
  };

  const created = await stack.api('POST', '/credentials', token, petstore);
  const id = created.body.id as string;
  const awsCalls = {
    create: await callsOf(() => stack.api('POST', '/credentials', token, petstore)),
    get: await callsOf(() => stack.api('GET', `/credentials/${id}`, token)),
    list: await callsOf(() => stack.api('GET', '/credentials?limit=20', token)),
    updateName: await callsOf(() =>
      stack.api('PATCH', `/credentials/${id}`, token, { name: 'renamed' }, { 'if-match': '"1"' }),
    ),
    updateSecret: await callsOf(() =>
      stack.api(
        'PATCH',
        `/credentials/${id}`,
        token,
        { fields: { apiKey: 'rotated' } },
        { 'if-match': '"2"' },
      ),
    ),
    putFlow: await callsOf(() =>
      stack.api('PUT', '/flows/bench-flow', token, {
        name: 'bench',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
      }),
    ),
    deleteRefused: await callsOf(() => stack.api('DELETE', `/credentials/${id}`, token)),
    deleteFlow: await callsOf(() => stack.api('DELETE', '/flows/bench-flow', token)),
    delete: await callsOf(() => stack.api('DELETE', `/credentials/${id}`, token)),
  };

  const target = (await stack.api('POST', '/credentials', token, petstore)).body.id as string;
  for (let index = 0; index < 30; index++) await stack.api('POST', '/credentials', token, petstore);
  // The usage of a credential two flows use: its item and its usage items, read side by side.
  for (const flowId of ['usage-a', 'usage-b'])
    await stack.api('PUT', `/flows/${flowId}`, token, {
      name: flowId,
      status: 'active',
      steps: [{ stepId: 's', componentId: 'petstore', credentialId: target }],
    });
  stack.calls.reset();
  await stack.api('GET', `/credentials/${target}/usage`, token);
  const usageCalls = { calls: [...stack.calls.calls], roundTrips: stack.calls.rounds() };
  const key = credentialKey('bench-tenant', target);
  const getHandler = stack.handlers['get-credential'];
  const getEvent = await stack.httpEvent('GET', `/credentials/${target}`, { credentialId: target }, token);
  const latency = await interleaved(runs, {
    rawGetItem: () =>
      stack.dynamoDb.send(
        new GetItemCommand({ TableName: stack.config.tableName, Key: key, ConsistentRead: true }),
      ),
    getHandlerOnly: () => getHandler(getEvent, lambdaContext),
    getThroughGateway: () => stack.api('GET', `/credentials/${target}`, token),
    listThroughGateway: () => stack.api('GET', '/credentials?limit=20', token),
    usageThroughGateway: () => stack.api('GET', `/credentials/${target}/usage`, token),
  });
  const create = await timed(Math.min(runs, 300), () => stack.api('POST', '/credentials', token, petstore));
  const ratio = (name: string) =>
    Math.round(((latency[name]?.medianMs ?? 0) / (latency.rawGetItem?.medianMs ?? 1)) * 100) / 100;
  return {
    awsCalls: { ...awsCalls, usage: usageCalls },
    latency: { ...latency, createThroughGateway: create },
    getRatioToRawGetItem: {
      handlerOnly: ratio('getHandlerOnly'),
      throughGateway: ratio('getThroughGateway'),
    },
    usageRatioToGet:
      Math.round(
        ((latency.usageThroughGateway?.medianMs ?? 0) / (latency.getThroughGateway?.medianMs ?? 1)) * 100,
      ) / 100,
  };
};
