import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenRefresher } from '../../../shared/composition/token-refresher.ts';
import { createTokenRefresherOnFirstCall } from '../../../shared/composition/token-refresher-on-first-call.ts';
import { loadServiceConfig } from '../../../shared/config/service-config.ts';

const bodyOf = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
};

/** A token endpoint that names the grant it was asked for in the token it issues. */
let server: Server;
let origin: string;
const grants: string[] = [];

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const form = await bodyOf(request);
    grants.push(`${request.url} ${form.get('grant_type') ?? form.get('token_type_hint')}`);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ access_token: `for-${form.get('grant_type')}`, token_type: 'Bearer', expires_in: 60 }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

// A request timeout, not a wait: far above what a loopback answer takes on a loaded machine.
const TIMEOUT_MS = 15_000;

const config = () => loadServiceConfig({ TABLE_NAME: 't', VERIFICATION_ALLOWED_HOSTS: new URL(origin).host });

describe('the token client loaded on its first call (resolve)', () => {
  it('answers every grant as the client it loads does, under the same network policy', async () => {
    const client = { tokenUrl: `${origin}/token`, clientId: 'app', clientSecret: 's3cret' };
    for (const tokens of [createTokenRefresherOnFirstCall(config()), createTokenRefresher(config())]) {
      grants.length = 0;
      const issued = await tokens.clientCredentials(client, 'read', TIMEOUT_MS);
      const refreshed = await tokens.exchange(
        { tokenUrl: `${origin}/token`, clientId: 'app', refreshToken: 'r1' },
        TIMEOUT_MS,
      );
      const code = await tokens.exchangeCode(
        client,
        { code: 'c', redirectUri: 'https://app.example/cb', codeVerifier: 'v'.repeat(43) },
        TIMEOUT_MS,
      );
      const revoked = await tokens.revoke(
        { ...client, revocationUrl: `${origin}/revoke` },
        { value: 'r1', hint: 'refresh_token' },
        TIMEOUT_MS,
      );
      expect(issued).toMatchObject({ kind: 'answered', status: 200 });
      expect(issued.kind === 'answered' && JSON.parse(issued.body).access_token).toBe(
        'for-client_credentials',
      );
      expect(refreshed.kind === 'answered' && JSON.parse(refreshed.body).access_token).toBe(
        'for-refresh_token',
      );
      expect(code.kind === 'answered' && JSON.parse(code.body).access_token).toBe('for-authorization_code');
      expect(revoked).toBe(true);
      expect(grants).toEqual([
        '/token client_credentials',
        '/token refresh_token',
        '/token authorization_code',
        '/revoke refresh_token',
      ]);
    }
  });

  it('refuses a destination the network policy does not allow, before any request', async () => {
    const tokens = createTokenRefresherOnFirstCall(loadServiceConfig({ TABLE_NAME: 't' }));
    grants.length = 0;
    const outcome = await tokens.clientCredentials(
      { tokenUrl: `${origin}/token`, clientId: 'app' },
      undefined,
      TIMEOUT_MS,
    );
    expect(outcome.kind).toBe('not_sent');
    expect(grants).toEqual([]);
  });
});
