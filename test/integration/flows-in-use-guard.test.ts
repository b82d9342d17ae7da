import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

describe('flows and the in-use guard', () => {
  let service: LocalService;
  let token: string;

  const createPetstore = async (tenantToken = token) =>
    (
      await service.api('POST', '/credentials', {
        token: tenantToken,
        body: { componentId: 'petstore', fields: { apiKey: 'key-1' } },
      })
    ).body.id as string;
  const createPostgres = async () =>
    (
      await service.api('POST', '/credentials', {
        token,
        body: {
          componentId: 'postgresql',
          fields: { host: 'db.example.com', port: 5432, database: 'd', user: 'u', password: 'p' },
        },
      })
    ).body.id as string;
  const putFlow = (
    flowId: string,
    status: 'active' | 'inactive',
    steps: { stepId: string; componentId: string; credentialId: string }[],
    tenantToken = token,
  ) =>
    service.api('PUT', `/flows/${flowId}`, {
      token: tenantToken,
      body: { name: `Flow ${flowId}`, status, steps },
    });
  const credential = async (id: string) => (await service.api('GET', `/credentials/${id}`, { token })).body;

  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token('tenant-flows');
  });
  afterAll(() => service.stop());

  it('refuses to delete a credential used by an active flow, naming every flow and step', async () => {
    const id = await createPetstore();
    await putFlow('sync-pets', 'active', [
      { stepId: 'read', componentId: 'petstore', credentialId: id },
      { stepId: 'write', componentId: 'petstore', credentialId: id },
    ]);
    await putFlow('nightly', 'active', [{ stepId: 'fetch', componentId: 'petstore', credentialId: id }]);

    const refused = await service.api('DELETE', `/credentials/${id}`, { token });

    expect(refused.status).toBe(409);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.code).toBe('credential_in_use');
    expect(refused.body.detail).toContain('2 active flow(s)');
    expect(refused.body.blockingFlows).toEqual(
      expect.arrayContaining([
        { flowId: 'sync-pets', flowName: 'Flow sync-pets', flowStatus: 'active', stepIds: ['read', 'write'] },
        { flowId: 'nightly', flowName: 'Flow nightly', flowStatus: 'active', stepIds: ['fetch'] },
      ]),
    );
    expect(await credential(id)).toMatchObject({ activeFlowCount: 2, flowCount: 2 });
  });

  it('deletes a credential only inactive flows use; they keep their steps, marked as missing it', async () => {
    const id = await createPetstore();
    const other = await createPetstore();
    await putFlow('paused', 'inactive', [
      { stepId: 's1', componentId: 'petstore', credentialId: id },
      { stepId: 's2', componentId: 'petstore', credentialId: other },
    ]);
    await putFlow('live', 'active', [{ stepId: 'x', componentId: 'petstore', credentialId: other }]);

    const plan = await service.api('DELETE', `/credentials/${id}?dryRun=true`, { token });
    expect(plan.body).toMatchObject({
      deletable: true,
      blockingFlows: [],
      affectedFlows: [{ flowId: 'paused', flowName: 'Flow paused', flowStatus: 'inactive', stepIds: ['s1'] }],
    });
    const refusedOther = await service.api('DELETE', `/credentials/${other}`, { token });
    expect(refusedOther.status).toBe(409);
    expect(refusedOther.body.blockingFlows).toEqual([
      { flowId: 'live', flowName: 'Flow live', flowStatus: 'active', stepIds: ['x'] },
    ]);
    expect(refusedOther.body.affectedFlows).toEqual([
      { flowId: 'paused', flowName: 'Flow paused', flowStatus: 'inactive', stepIds: ['s2'] },
    ]);

    const before = (await service.api('GET', '/flows/paused', { token })).body;
    expect((await service.api('DELETE', `/credentials/${id}`, { token })).status).toBe(204);
    expect((await service.api('GET', `/credentials/${id}`, { token })).status).toBe(404);

    const flow = await service.api('GET', '/flows/paused', { token });
    expect(flow.body.version).toBe(before.version + 1);
    expect(flow.body.steps).toEqual([
      { stepId: 's1', componentId: 'petstore', credentialId: id, credentialMissing: true },
      { stepId: 's2', componentId: 'petstore', credentialId: other, credentialMissing: false },
    ]);
    expect(await credential(other)).toMatchObject({ activeFlowCount: 1, flowCount: 2 });

    // Kept inactive (renamed, sent back as read), it saves; activated, it is refused, naming the step.
    const renamed = await service.api('PUT', '/flows/paused', {
      token,
      body: { name: 'Renamed', status: 'inactive', steps: flow.body.steps },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.steps[0].credentialMissing).toBe(true);
    const activate = await service.api('PUT', '/flows/paused', {
      token,
      body: { name: 'Renamed', status: 'active', steps: flow.body.steps },
    });
    expect(activate.status).toBe(409);
    expect(activate.body).toMatchObject({
      code: 'credential_missing',
      flowId: 'paused',
      steps: ['s1'],
      credentialIds: [id],
    });
    expect((await service.api('GET', '/flows/paused', { token })).body.status).toBe('inactive');

    // Given another credential, the step is whole again and the flow activates.
    const fixed = await putFlow('paused', 'active', [
      { stepId: 's1', componentId: 'petstore', credentialId: other },
      { stepId: 's2', componentId: 'petstore', credentialId: other },
    ]);
    expect(fixed.status).toBe(200);
    expect(fixed.body.steps.map((step: { credentialMissing: boolean }) => step.credentialMissing)).toEqual([
      false,
      false,
    ]);
    expect(await credential(other)).toMatchObject({ activeFlowCount: 2, flowCount: 2 });
    expect((await service.api('DELETE', '/flows/paused', { token })).status).toBe(204);
    expect((await service.api('DELETE', '/flows/live', { token })).status).toBe(204);
    expect(await credential(other)).toMatchObject({ activeFlowCount: 0, flowCount: 0 });
  });

  it('lets a flow whose credential was deleted drop that step, or be deleted', async () => {
    const id = await createPetstore();
    await putFlow('drop', 'inactive', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    await putFlow('gone', 'inactive', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    expect((await service.api('DELETE', `/credentials/${id}`, { token })).status).toBe(204);

    const dropped = await putFlow('drop', 'active', []);
    expect(dropped.status).toBe(200);
    expect(dropped.body.steps).toEqual([]);
    expect((await service.api('DELETE', '/flows/gone', { token })).status).toBe(204);
    expect((await service.api('GET', '/flows/gone', { token })).status).toBe(404);
  });

  it('tracks activation, deactivation, step changes and flow deletion in the reference counts', async () => {
    const first = await createPetstore();
    const second = await createPetstore();

    await putFlow('lifecycle', 'inactive', [{ stepId: 's', componentId: 'petstore', credentialId: first }]);
    expect(await credential(first)).toMatchObject({ activeFlowCount: 0, flowCount: 1 });
    await putFlow('lifecycle', 'active', [{ stepId: 's', componentId: 'petstore', credentialId: first }]);
    expect(await credential(first)).toMatchObject({ activeFlowCount: 1, flowCount: 1 });
    await putFlow('lifecycle', 'active', [{ stepId: 's', componentId: 'petstore', credentialId: second }]);
    expect(await credential(first)).toMatchObject({ activeFlowCount: 0, flowCount: 0 });
    expect(await credential(second)).toMatchObject({ activeFlowCount: 1, flowCount: 1 });
    expect((await service.api('DELETE', `/credentials/${first}`, { token })).status).toBe(204);

    expect((await service.api('DELETE', '/flows/lifecycle', { token })).status).toBe(204);
    expect(await credential(second)).toMatchObject({ activeFlowCount: 0, flowCount: 0 });
    expect((await service.api('GET', '/flows/lifecycle', { token })).status).toBe(404);
    expect((await service.api('DELETE', `/credentials/${second}`, { token })).status).toBe(204);
  });

  it('refuses a step whose credential is missing, of another tenant, or of another component', async () => {
    const otherTenant = await service.token('tenant-flows-other');
    const foreign = await createPetstore(otherTenant);
    const database = await createPostgres();
    const deleted = await createPetstore();
    await service.api('DELETE', `/credentials/${deleted}`, { token });

    const crossTenant = await putFlow('bad-1', 'active', [
      { stepId: 's', componentId: 'petstore', credentialId: foreign },
    ]);
    const gone = await putFlow('bad-2', 'active', [
      { stepId: 's', componentId: 'petstore', credentialId: deleted },
    ]);
    const mismatch = await putFlow('bad-3', 'active', [
      { stepId: 's', componentId: 'petstore', credentialId: database },
    ]);
    const forgedSuffix = await putFlow('bad-4', 'active', [
      { stepId: 's', componentId: 'petstore', credentialId: `${database.split('.')[0]}.petstore` },
    ]);

    for (const response of [crossTenant, gone, mismatch, forgedSuffix]) {
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('invalid_flow_reference');
    }
    expect(crossTenant.body.steps).toEqual(['bad-1/s']);
    expect((await service.api('GET', '/flows/bad-1', { token })).status).toBe(404);
    expect((await service.api('GET', `/credentials/${foreign}`, { token: otherTenant })).body.flowCount).toBe(
      0,
    );
  });

  it("treats another tenant's flow ids as non-existent", async () => {
    const id = await createPetstore();
    await putFlow('private', 'active', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const other = await service.token('tenant-flows-snoop');

    expect((await service.api('GET', '/flows/private', { token: other })).status).toBe(404);
    expect((await service.api('DELETE', '/flows/private', { token: other })).status).toBe(404);
    expect((await service.api('GET', '/flows', { token: other })).body.items).toEqual([]);
    expect((await service.api('GET', `/credentials/${id}/usage`, { token: other })).status).toBe(404);
  });

  it('lists usage, answers a dry-run delete, replaces the credential and then deletes it', async () => {
    const old = await createPetstore();
    const replacement = await createPetstore();
    await putFlow('a', 'active', [{ stepId: 'one', componentId: 'petstore', credentialId: old }]);
    await putFlow('b', 'inactive', [
      { stepId: 'two', componentId: 'petstore', credentialId: old },
      { stepId: 'three', componentId: 'petstore', credentialId: replacement },
    ]);

    service.calls.reset();
    const usage = await service.api('GET', `/credentials/${old}/usage`, { token });
    // One round trip: the item and its usage items are read side by side.
    expect({ calls: [...service.calls.calls].sort(), rounds: service.calls.rounds() }).toEqual({
      calls: ['GetItem', 'Query'],
      rounds: 1,
    });
    const dryRun = await service.api('DELETE', `/credentials/${old}?dryRun=true`, { token });
    const replaced = await service.api('POST', `/credentials/${old}/replace`, {
      token,
      body: { replacementId: replacement },
    });

    expect(usage.body).toMatchObject({ activeFlowCount: 1, flowCount: 2 });
    expect(usage.body.flows).toHaveLength(2);
    expect(dryRun.status).toBe(200);
    expect(dryRun.body).toMatchObject({ dryRun: true, deletable: false });
    expect((await service.api('GET', `/credentials/${old}`, { token })).status).toBe(200);
    expect(replaced.status).toBe(200);
    expect(replaced.body.movedFlows).toEqual(
      expect.arrayContaining([
        { flowId: 'a', stepIds: ['one'] },
        { flowId: 'b', stepIds: ['two'] },
      ]),
    );
    expect(await credential(old)).toMatchObject({ activeFlowCount: 0, flowCount: 0 });
    expect(await credential(replacement)).toMatchObject({ activeFlowCount: 1, flowCount: 2 });
    expect(
      (await service.api('GET', '/flows/b', { token })).body.steps.map(
        (step: { credentialId: string }) => step.credentialId,
      ),
    ).toEqual([replacement, replacement]);
    expect((await service.api('DELETE', `/credentials/${old}?dryRun=true`, { token })).body.deletable).toBe(
      true,
    );
    expect((await service.api('DELETE', `/credentials/${old}`, { token })).status).toBe(204);
  });

  it('refuses to replace with a credential of another component', async () => {
    const pet = await createPetstore();
    const database = await createPostgres();
    const response = await service.api('POST', `/credentials/${pet}/replace`, {
      token,
      body: { replacementId: database },
    });
    expect(response.status).toBe(422);
  });

  it('honours If-Match on flows and retries nothing when it is stale', async () => {
    const id = await createPetstore();
    await putFlow('versioned', 'inactive', [{ stepId: 's', componentId: 'petstore', credentialId: id }]);
    const stale = await service.api('PUT', '/flows/versioned', {
      token,
      headers: { 'if-match': '"5"' },
      body: { name: 'x', status: 'active', steps: [] },
    });
    expect(stale.status).toBe(412);
    expect(await credential(id)).toMatchObject({ activeFlowCount: 0, flowCount: 1 });
  });

  it('never lets a flow reference a deleted credential under concurrent activation and deletion', async () => {
    const rounds = 40;
    let refusedDeletes = 0;
    let refusedActivations = 0;
    for (let round = 0; round < rounds; round++) {
      const id = await createPetstore();
      const flowId = `race-${round}`;
      const [activation, deletion] = await Promise.all([
        putFlow(flowId, 'active', [{ stepId: 's', componentId: 'petstore', credentialId: id }]),
        service.api('DELETE', `/credentials/${id}`, { token }),
      ]);
      expect([activation.status, deletion.status].sort()).toEqual(
        activation.status === 201 ? [201, 409] : [204, 422],
      );
      if (deletion.status === 409) refusedDeletes++;
      if (activation.status === 422) refusedActivations++;
      const flow = await service.api('GET', `/flows/${flowId}`, { token });
      const stored = await service.api('GET', `/credentials/${id}`, { token });
      // The invariant: an active flow exists only if its credential still exists.
      expect(flow.status === 200 && flow.body.status === 'active').toBe(stored.status === 200);
    }
    expect(refusedDeletes + refusedActivations).toBe(rounds);
  });

  it('never leaves an active flow pointing at nothing when an inactive flow is activated as its credential is deleted', async () => {
    const rounds = 40;
    const outcomes = new Set<string>();
    for (let round = 0; round < rounds; round++) {
      const id = await createPetstore();
      const flowId = `race-inactive-${round}`;
      const steps = [{ stepId: 's', componentId: 'petstore', credentialId: id }];
      await putFlow(flowId, 'inactive', steps);
      const [activation, deletion] = await Promise.all([
        putFlow(flowId, 'active', steps),
        service.api('DELETE', `/credentials/${id}`, { token }),
      ]);
      const outcome = `${activation.status} ${activation.body?.code ?? ''} / ${deletion.status}`;
      outcomes.add(outcome);
      expect(['200  / 409', '409 credential_missing / 204']).toContain(outcome);
      const flow = (await service.api('GET', `/flows/${flowId}`, { token })).body;
      const stored = await service.api('GET', `/credentials/${id}`, { token });
      // The invariant: an active flow's credential exists; an inactive one may be marked missing.
      if (flow.status === 'active') expect(stored.status).toBe(200);
      expect(flow.steps[0].credentialMissing).toBe(stored.status === 404);
    }
  });
});
