import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { isPublicAddress, vetDestination } from '../../shared/adapters/verification/network-guard.ts';
import { acceptingVerifier, type LocalService, startLocalService } from '../support/local-service.ts';

describe('SSRF guard: only public unicast addresses, allow-list by host and port', () => {
  it.each([
    '::ffff:0:7f00:2', // IPv4-translated (RFC 6145)
    '::7f00:2', // IPv4-compatible, deprecated
    '::a9fe:a9fe', // 169.254.169.254, IPv4-compatible
    '64:ff9b:1::a00:1', // local-use NAT64 (RFC 8215)
    '64:ff9b::7f00:1', // NAT64 of 127.0.0.1
    '2002:7f00:1::1', // 6to4 of 127.0.0.1
    '2001::1', // Teredo
    'fec0::1', // site-local, deprecated
    '::ffff:10.0.0.1',
    '2001:db8::1', // documentation
    'ff02::1', // multicast
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it('refuses a DNS answer with any of those forms', async () => {
    let gotThrough = 0;
    for (const address of ['::ffff:0:7f00:2', '::7f00:2', '64:ff9b:1::1', '2002::1', '2001::1', 'fec0::1']) {
      try {
        await vetDestination('rebind.example', 443, { allowedHosts: [] }, async () => [
          { address, family: 6 },
        ]);
        gotThrough++;
      } catch {
        // refused, as it must be
      }
    }
    expect(gotThrough).toBe(0);
  });

  describe('through the service', () => {
    let service: LocalService;
    beforeAll(async () => {
      service = await startLocalService();
    });
    afterAll(() => service.stop());

    it('cannot reach the local AWS endpoints or the gateway on an allow-listed host', async () => {
      const token = await service.token('tenant-ssrf');
      const targets = [inject('dynamoDbEndpoint'), service.config.secretsManagerEndpoint ?? '', service.url];
      for (const baseUrl of targets) {
        const response = await service.api('POST', '/credentials', {
          token,
          body: {
            componentId: 'http-api-key',
            fields: { baseUrl, headerName: 'X-Api-Key', verifyPath: '/', apiKey: 'ssrf-key-1' },
          },
        });
        expect(response.status).toBe(422);
        expect(response.body).toMatchObject({ reason: 'blocked_destination' });
        expect(response.body.upstreamExcerpt).toBeUndefined();
      }
    });
  });
});

describe('HTTP edges answer problem+json 4xx and lose nothing', () => {
  let service: LocalService;
  let token: string;
  beforeAll(async () => {
    service = await startLocalService({ overrides: { verifier: acceptingVerifier } });
    token = await service.token('tenant-http');
  });
  afterAll(() => service.stop());

  it('answers 400 for malformed percent-encoding in a path', async () => {
    const response = await service.api('GET', '/credentials/%ZZ', { token });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('refuses a repeated query parameter instead of acting on one of them', async () => {
    const id = (
      await service.api('POST', '/credentials', {
        token,
        body: { componentId: 'petstore', fields: { apiKey: 'keep-me' } },
      })
    ).body.id;
    const response = await service.api('DELETE', `/credentials/${id}?dryRun=true&dryRun=false`, { token });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('malformed_request');
    expect((await service.api('GET', `/credentials/${id}`, { token })).status).toBe(200);
  });

  it('answers an oversized path or cursor with problem+json 431', async () => {
    const response = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      const outgoing = request(`${service.url}/credentials?cursor=${'a'.repeat(20_000)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      outgoing.on('response', (incoming) => {
        let body = '';
        incoming.on('data', (chunk) => {
          body += chunk;
        });
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, type: String(incoming.headers['content-type']), body }),
        );
      });
      outgoing.on('error', reject);
      outgoing.end();
    });
    expect(response.status).toBe(431);
    expect(response.type).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 431, code: 'header_fields_too_large' });
  });

  it('answers 405 with Allow for a known path and a wrong method', async () => {
    const response = await service.api('PUT', '/credentials', { token, body: {} });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, GET');
  });
});
