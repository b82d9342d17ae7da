import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildProxyDependencies } from '../shared/composition/proxy-dependencies.ts';
import { proxyRequest } from '../shared/use-cases/proxy-request.ts';
import { type BenchStack, timed } from './local-stack.ts';

/** An API that answers after `delayMs`, as a SaaS API does (tens of milliseconds). */
const startUpstream = async (delayMs: number) => {
  const server = createServer((incoming, response) => {
    const answer = () =>
      response
        .writeHead(incoming.headers['x-api-key'] ? 200 : 401, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 1, name: 'Rex', status: 'available' }));
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop: () => server.close() };
};

/** The same request a workflow would make itself: one new connection, as the proxy makes. */
const directCall = (url: string) =>
  new Promise<void>((resolve, reject) => {
    const outgoing = request(url, { headers: { 'x-api-key': 'bench-key' }, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    });
    outgoing.on('error', reject);
    outgoing.end();
  });

/**
 * Proxy overhead against the same request made directly, warm (the cached credential, one
 * conditional write) and cold (flow + credential, secret, write), at an API answering at once and
 * one answering in 50 ms; and the AWS calls of each.
 */
export const benchProxy = async (stack: BenchStack, runs: number) => {
  const token = await stack.issuer.sign('proxy-tenant');
  const actor = { tenantId: 'proxy-tenant', subject: 'bench' };
  const rows: Record<string, unknown> = {};
  let awsCalls: Record<string, { calls: string[]; roundTrips: number }> = {};
  for (const delayMs of [0, 50]) {
    const upstream = await startUpstream(delayMs);
    stack.allowVerificationTarget(upstream.url);
    const created = await stack.api('POST', '/credentials', token, {
      componentId: 'http-api-key',
      fields: { baseUrl: upstream.url, headerName: 'x-api-key', verifyPath: '/pets/1', apiKey: 'bench-key' },
    });
    const credentialId = created.body.id as string;
    const flowId = `proxy-bench-${delayMs}`;
    await stack.api('PUT', `/flows/${flowId}`, token, {
      name: flowId,
      status: 'active',
      steps: [{ stepId: 's', componentId: 'http-api-key', credentialId }],
    });
    const container = (cacheTtlMs: number) =>
      buildProxyDependencies(stack.deps, { cacheTtlMs, refreshMarginMs: 300_000 }, stack.config);
    const warm = container(60_000);
    const cold = container(0);
    const input = {
      flowId,
      stepId: 's',
      executionId: 'bench',
      credentialId,
      request: { method: 'GET' as const, path: '/pets/1' },
    };
    const callsOf = async (run: () => Promise<unknown>) => {
      stack.calls.reset();
      await run();
      return { calls: [...stack.calls.calls], roundTrips: stack.calls.rounds() };
    };
    awsCalls = {
      warm: await (async () => {
        await proxyRequest(warm, actor, input);
        return callsOf(() => proxyRequest(warm, actor, input));
      })(),
      cold: await callsOf(() => proxyRequest(cold, actor, input)),
    };
    const direct = await timed(runs, () => directCall(`${upstream.url}/pets/1`));
    const warmTimes = await timed(runs, () => proxyRequest(warm, actor, input));
    const coldTimes = await timed(Math.min(runs, 200), () => proxyRequest(cold, actor, input));
    const ratio = (value: number) => Math.round((value / direct.medianMs) * 100) / 100;
    rows[`api answering in ${delayMs} ms`] = {
      direct,
      warm: { ...warmTimes, ratioToDirect: ratio(warmTimes.medianMs) },
      cold: { ...coldTimes, ratioToDirect: ratio(coldTimes.medianMs) },
      warmOverheadMs: Math.round((warmTimes.medianMs - direct.medianMs) * 100) / 100,
    };
    upstream.stop();
  }
  return {
    awsCalls,
    latency: rows,
    note: 'Local: DynamoDB Local (a JVM on loopback) stands in for DynamoDB, so the warm overhead is its two writes (the conditional one that authorizes the request before it is sent, and its outcome); goal warm ≤ 1.3× the direct call.',
  };
};
