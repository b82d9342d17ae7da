import type { BenchStack } from './local-stack.ts';

type Api = BenchStack['api'];
type Answer = Awaited<ReturnType<Api>>;

/** A random delay of up to `ms`, so both orders of arrival are exercised. */
const jittered = (call: () => Promise<Answer>, ms = 6) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * ms)).then(call);

/** True when the flow is active and one of its steps names a credential that no longer exists. */
const activeFlowPointsAtNothing = async (api: Api, token: string, flowId: string) => {
  const flow = await api('GET', `/flows/${flowId}`, token);
  if (flow.status !== 200 || flow.body.status !== 'active') return false;
  for (const step of flow.body.steps as { credentialId: string }[]) {
    if ((await api('GET', `/credentials/${step.credentialId}`, token)).status !== 200) return true;
  }
  return false;
};

interface PairCounts {
  deletesRefused: number;
  activationsRefused: number;
  unexpectedOutcomes: number;
  violations: number;
}

/**
 * Two races, round after round, each checked afterwards: no active flow references a deleted
 * credential.
 * - new reference: a flow that starts using credential X is activated while X is deleted;
 * - inactive reference: a flow that already uses X, inactive (which does not block the delete), is
 *   activated while X is deleted.
 */
export const benchRace = async (stack: BenchStack, rounds: number) => {
  const token = await stack.issuer.sign('race-tenant');
  const counts = (): PairCounts => ({
    deletesRefused: 0,
    activationsRefused: 0,
    unexpectedOutcomes: 0,
    violations: 0,
  });
  const newReference = counts();
  const inactiveReference = counts();
  const create = async () =>
    (await stack.api('POST', '/credentials', token, { componentId: 'petstore', fields: { apiKey: 'k' } }))
      .body.id as string;
  const flowBody = (id: string, status: 'active' | 'inactive') => ({
    name: 'race',
    status,
    steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
  });

  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    {
      const id = await create();
      const flowId = `race-${round}`;
      const [activation, deletion] = await Promise.all([
        stack.api('PUT', `/flows/${flowId}`, token, flowBody(id, 'active')),
        jittered(() => stack.api('DELETE', `/credentials/${id}`, token)),
      ]);
      if (deletion.status === 409) newReference.deletesRefused++;
      if (activation.status === 422) newReference.activationsRefused++;
      const consistent =
        (activation.status === 201 && deletion.status === 409) ||
        (activation.status === 422 && deletion.status === 204);
      if (!consistent) newReference.unexpectedOutcomes++;
      if (await activeFlowPointsAtNothing(stack.api, token, flowId)) newReference.violations++;
    }
    {
      const id = await create();
      const flowId = `race-inactive-${round}`;
      await stack.api('PUT', `/flows/${flowId}`, token, flowBody(id, 'inactive'));
      // The delete needs two rounds here (its first try assumes no flow), so the head start goes to
      // either side at random.
      const deleteFirst = round % 2 === 0;
      const [activation, deletion] = await Promise.all([
        jittered(
          () => stack.api('PUT', `/flows/${flowId}`, token, flowBody(id, 'active')),
          deleteFirst ? 12 : 0,
        ),
        jittered(() => stack.api('DELETE', `/credentials/${id}`, token), deleteFirst ? 0 : 6),
      ]);
      if (deletion.status === 409) inactiveReference.deletesRefused++;
      if (activation.status === 409) inactiveReference.activationsRefused++;
      const consistent =
        (activation.status === 200 && deletion.status === 409) ||
        (activation.status === 409 &&
          activation.body.code === 'credential_missing' &&
          deletion.status === 204);
      if (!consistent) inactiveReference.unexpectedOutcomes++;
      if (await activeFlowPointsAtNothing(stack.api, token, flowId)) inactiveReference.violations++;
    }
  }
  return {
    rounds,
    newReference,
    inactiveReference,
    violations: newReference.violations + inactiveReference.violations,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
};
