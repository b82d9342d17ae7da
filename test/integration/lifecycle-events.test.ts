import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { localEventSink } from '../../local/local-event-sink.ts';
import { FlowEventDetail, LifecycleEventDetail } from '../../shared/domain/lifecycle-event.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';
import { publishStreamOnce } from '../support/publish-stream.ts';

const tenant = 'tenant-events';

describe('lifecycle events: what a platform subscribes to', () => {
  let service: LocalService;
  let token: string;
  const sink = localEventSink();
  const publishStream = () => publishStreamOnce(service, sink);

  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token(tenant);
  });
  afterAll(() => service.stop());

  it('names the credential, its component, the flows it affects and the reason, in the shape rules match', async () => {
    const create = async (name: string, apiKey: string) =>
      (
        await service.api('POST', '/credentials', {
          token,
          body: { componentId: 'petstore', name, fields: { apiKey } },
        })
      ).body.id as string;
    const old = await create('Pet shop (old)', 'events-key-1');
    const next = await create('Pet shop (new)', 'events-key-2');
    const steps = [{ stepId: 'fetch', componentId: 'petstore', credentialId: old }];
    await service.api('PUT', '/flows/pet-sync', {
      token,
      body: { name: 'Pet sync', status: 'active', steps },
    });
    await service.api('PATCH', `/credentials/${old}`, {
      token,
      body: { name: 'Pet shop (old, renamed)' },
      headers: { 'if-match': '"1"' },
    });
    // The stream publishes within moments of a change: the flows named are the ones using it then.
    await publishStream();
    await service.api('POST', `/credentials/${old}/replace`, { token, body: { replacementId: next } });
    await service.api('DELETE', `/credentials/${old}`, { token });
    const flow = await service.api('GET', '/flows/pet-sync', { token });
    await service.api('PUT', '/flows/pet-sync', {
      token,
      body: { name: 'Pet sync', status: 'inactive', steps: flow.body.steps },
      headers: { 'if-match': `"${flow.body.version}"` },
    });
    await publishStream();
    expect(sink.events.filter((event) => event['detail-type'] === 'flow.deactivated')).toHaveLength(1);

    // Each poll here starts from the stream's beginning (delivery is at least once): first copies count.
    const seen = new Set<string>();
    const ofOld = sink.events.filter((event) => {
      const key = `${event['detail-type']}|${event.detail.at}`;
      if (!('credentialId' in event.detail) || event.detail.credentialId !== old || seen.has(key))
        return false;
      seen.add(key);
      return true;
    });
    expect(ofOld.map((event) => event['detail-type'])).toEqual([
      'credential.created',
      'credential.updated',
      'credential.replaced',
      'credential.deleted',
    ]);
    for (const event of sink.events) {
      // Every event is what the catalogue's schema says (docs/events.md is generated from it).
      if ('credentialId' in event.detail) {
        expect(z.safeParse(LifecycleEventDetail, event.detail).success).toBe(true);
        expect(event.resources).toEqual([
          `credentials-service:${tenant}:credential/${event.detail.credentialId}`,
        ]);
      } else expect(z.safeParse(FlowEventDetail, event.detail).success).toBe(true);
      expect(event).toMatchObject({ version: '0', source: 'credentials-service' });
    }
    // The flow's activation, in the transaction that made it, naming the credentials it uses.
    const activated = sink.events.find((event) => event['detail-type'] === 'flow.activated');
    expect(activated).toMatchObject({
      resources: [
        `credentials-service:${tenant}:flow/pet-sync`,
        `credentials-service:${tenant}:credential/${old}`,
      ],
      detail: {
        flowId: 'pet-sync',
        flowName: 'Pet sync',
        credentials: [{ credentialId: old, componentId: 'petstore' }],
      },
    });
    const [created, updated, replaced, deleted] = ofOld;
    // A delete reads nothing; its event still carries the name the credential last had.
    expect(deleted?.detail).toMatchObject({ credentialName: 'Pet shop (old, renamed)', flows: [] });
    expect(created?.detail).toMatchObject({ credentialName: 'Pet shop (old)', componentId: 'petstore' });
    // The flows that used it when it was published: the active flow.
    expect(updated?.detail).toMatchObject({
      credentialName: 'Pet shop (old, renamed)',
      flows: [{ flowId: 'pet-sync', flowName: 'Pet sync', flowStatus: 'active' }],
    });
    // The flows it moved, and where to.
    expect(replaced?.detail).toMatchObject({
      replacementId: next,
      flows: [{ flowId: 'pet-sync', flowName: 'Pet sync', flowStatus: 'active' }],
      reason: null,
    });
    // Created before any flow used it: the event names none, whatever uses it by publishing time.
    expect(created?.detail).toMatchObject({ flows: [] });
    expect(JSON.stringify(sink.events)).not.toMatch(/events-key-/);
  });
});
