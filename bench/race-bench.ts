import type { BenchStack } from './local-stack.ts';

/**
 * Concurrently activates a flow that uses credential X while deleting X, round after round, and
 * checks after each round that no active flow references a deleted credential.
 */
export const benchRace = async (stack: BenchStack, rounds: number) => {
  const token = await stack.issuer.sign('race-tenant');
  let deletesRefused = 0;
  let activationsRefused = 0;
  let violations = 0;
  let unexpected = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const id = (
      await stack.api('POST', '/credentials', token, { componentId: 'petstore', fields: { apiKey: 'k' } })
    ).body.id as string;
    const flowId = `race-${round}`;
    const [activation, deletion] = await Promise.all([
      stack.api('PUT', `/flows/${flowId}`, token, {
        name: 'race',
        status: 'active',
        steps: [{ stepId: 's', componentId: 'petstore', credentialId: id }],
      }),
      // A random head start for either side, so both orders of arrival are exercised.
      new Promise((resolve) => setTimeout(resolve, Math.random() * 6)).then(() =>
        stack.api('DELETE', `/credentials/${id}`, token),
      ),
    ]);
    if (deletion.status === 409) deletesRefused++;
    if (activation.status === 422) activationsRefused++;
    const consistent =
      (activation.status === 201 && deletion.status === 409) ||
      (activation.status === 422 && deletion.status === 204);
    if (!consistent) unexpected++;
    const flow = await stack.api('GET', `/flows/${flowId}`, token);
    const credential = await stack.api('GET', `/credentials/${id}`, token);
    const activeFlow = flow.status === 200 && flow.body.status === 'active';
    if (activeFlow && credential.status !== 200) violations++;
  }
  return {
    rounds,
    deletesRefused,
    activationsRefused,
    unexpectedOutcomes: unexpected,
    violations,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
};
