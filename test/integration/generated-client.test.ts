import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMatchesContract } from '../support/contract.ts';
import { type ClientAnswer, clientFromDocument } from '../support/document-client.ts';
import { type LocalService, startLocalService } from '../support/local-service.ts';

const tenant = 'tenant-generated-client';

describe('a client generated from the served OpenAPI document calls every operation', () => {
  let service: LocalService;
  let token: string;

  beforeAll(async () => {
    service = await startLocalService();
    token = await service.token(tenant);
  });
  afterAll(() => service.stop());

  it('reaches every operation with the inputs where the document puts them, and gets the answers it documents', async () => {
    const served = await fetch(`${service.url}/openapi.json`);
    const client = clientFromDocument(await served.json(), service.url);
    const called = new Set<string>();
    const answers: { operationId: string; status: number }[] = [];
    const call = async (operationId: string, inputs: Record<string, unknown> = {}): Promise<ClientAnswer> => {
      const answer = await client.call(operationId, inputs, token);
      called.add(operationId);
      answers.push({ operationId, status: answer.status });
      assertMatchesContract(answer.method, answer.url, answer);
      return answer;
    };

    await call('getOpenApiDocument');
    await call('listProblemTypes');
    await call('getProblemType', { code: 'not_found' });
    await call('listComponents');
    await call('getComponent', { componentId: 'petstore' });
    const created = await call('createCredential', {
      'Idempotency-Key': 'generated-client-1',
      componentId: 'petstore',
      name: 'Generated',
      fields: { apiKey: 'special-key' },
    });
    const credentialId = created.body.id as string;
    const second = await call('createCredential', {
      componentId: 'petstore',
      name: 'Generated too',
      fields: { apiKey: 'special-key' },
    });
    await call('listCredentials', { componentId: 'petstore', limit: 10 });
    const read = await call('getCredential', { credentialId });
    await call('updateCredential', { credentialId, 'If-Match': read.headers.get('etag'), name: 'Renamed' });
    await call('verifyCredential', { credentialId });
    await call('getCredentialAudit', { credentialId, limit: 5 });
    await call('putFlow', {
      flowId: 'generated',
      name: 'Generated',
      status: 'active',
      steps: [{ stepId: 's', componentId: 'petstore', credentialId }],
    });
    await call('getFlow', { flowId: 'generated' });
    await call('listFlows', { limit: 10 });
    await call('getCredentialUsage', { credentialId });
    const proxied = await call('proxyRequest', {
      flowId: 'generated',
      stepId: 's',
      executionId: 'generated-1',
      request: { method: 'GET', path: '/pet/1' },
    });
    expect(proxied.body).toMatchObject({ status: 200, body: { id: 1 } });
    await call('replaceCredential', { credentialId, replacementId: second.body.id });
    await call('deleteFlow', { flowId: 'generated' });
    await call('deleteCredential', { credentialId });

    await call('putOAuthApp', {
      componentId: 'demo-oauth2',
      clientId: 'demo-client',
      clientSecret: 'generated-client-secret',
    });
    await call('listOAuthApps');
    await call('getOAuthApp', { componentId: 'demo-oauth2' });
    const session = await call('createConnectSession', { componentId: 'demo-oauth2', name: 'Generated' });
    await call('getConnectSession', { sessionId: session.body.sessionId });
    // The person's browser at the provider, which consents at once and sends it back.
    const consented = await fetch(session.body.authorizationUrl, { redirect: 'manual' });
    const back = new URL(consented.headers.get('location') ?? '');
    await call('completeConnect', Object.fromEntries(back.searchParams));
    const connected = await call('getConnectSession', { sessionId: session.body.sessionId });
    expect(connected.body).toMatchObject({ status: 'connected' });
    // An OAuth app its credentials still use is not deleted: the connected one goes first.
    await call('deleteCredential', { credentialId: connected.body.credentialId });
    await call('deleteOAuthApp', { componentId: 'demo-oauth2' });

    // OPTIONS on every path: the path parameters only.
    const samples: Record<string, string> = {
      componentId: 'petstore',
      credentialId,
      flowId: 'generated',
      sessionId: session.body.sessionId,
      code: 'not_found',
    };
    for (const operationId of client.operationIds.filter((id) => id.startsWith('options'))) {
      const path = operationId.replace(/^options/, '');
      const inputs = Object.fromEntries(
        Object.entries(samples).filter(([name]) => path.includes(name[0]?.toUpperCase() + name.slice(1))),
      );
      await call(operationId, inputs);
    }

    expect([...called].sort()).toEqual([...client.operationIds].sort());
    expect(answers.filter((answer) => answer.status >= 400)).toEqual([]);
  });
});
