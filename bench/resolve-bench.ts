import { buildResolveDependencies } from '../shared/composition/resolve-dependencies.ts';
import { resolveCredential } from '../shared/use-cases/resolve-credential.ts';
import { type BenchStack, timed } from './local-stack.ts';

/** Resolve latency on a cache hit and a miss, and the AWS calls each makes. */
export const benchResolve = async (stack: BenchStack, runs: number) => {
  const token = await stack.issuer.sign('resolve-tenant');
  const created = await stack.api('POST', '/credentials', token, {
    componentId: 'petstore',
    fields: { apiKey: 'bench' },
  });
  const credentialId = created.body.id as string;
  await stack.api('PUT', '/flows/bench', token, {
    name: 'bench',
    status: 'active',
    steps: [{ stepId: 's', componentId: 'petstore', credentialId }],
  });
  const container = (cacheTtlMs: number) =>
    buildResolveDependencies(stack.deps, {
      cacheTtlMs,
      refreshMarginMs: 300_000,
    });
  const actor = { tenantId: 'resolve-tenant', subject: 'bench' };
  const input = { flowId: 'bench', stepId: 's', executionId: 'bench', credentialId };
  const cold = container(0);
  const warm = container(60_000);
  const callsOf = async (run: () => Promise<unknown>) => {
    stack.calls.reset();
    await run();
    return { calls: [...stack.calls.calls], roundTrips: stack.calls.rounds() };
  };
  const awsCalls = {
    miss: await callsOf(() => resolveCredential(cold, actor, input)),
    hit: await (async () => {
      await resolveCredential(warm, actor, input);
      return callsOf(() => resolveCredential(warm, actor, input));
    })(),
    withoutCredentialId: await callsOf(() =>
      resolveCredential(cold, actor, { flowId: 'bench', stepId: 's', executionId: 'bench' }),
    ),
    // A warm container remembers which credential the step uses (and its secret).
    withoutCredentialIdWarm: await (async () => {
      const { credentialId: _named, ...byStep } = input;
      await resolveCredential(warm, actor, byStep);
      return callsOf(() => resolveCredential(warm, actor, byStep));
    })(),
    // 20 resolves of one step at once in a new container: the misses share their reads.
    twentyConcurrentMisses: await (async () => {
      const fresh = container(60_000);
      stack.calls.reset();
      await Promise.all(
        Array.from({ length: 20 }, (_, run) =>
          resolveCredential(fresh, actor, { ...input, executionId: `bench-${run}` }),
        ),
      );
      const byCall: Record<string, number> = {};
      for (const call of stack.calls.calls) byCall[call] = (byCall[call] ?? 0) + 1;
      return { total: stack.calls.calls.length, byCall };
    })(),
  };
  return {
    awsCalls,
    note: 'every resolve writes one audit record, conditional on the flow usage item (TransactWriteItems with ConditionCheck), which re-authorises it. A miss reads flow + credential (TransactGetItems), then the secret only if they pass, then writes the record once the outcome is known: 3 calls in 3 rounds (before 2026-12-03 they were one parallel round, and a refused resolve read the secret and was audited as granted).',
    latency: {
      miss: await timed(runs, () => resolveCredential(cold, actor, input)),
      hit: await timed(runs, () => resolveCredential(warm, actor, input)),
    },
  };
};
