import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface ConformanceProvider {
  readonly url: string;
  /** Registers the service's client (its redirect URI is known only once the service runs). */
  registerClient(client: { clientId: string; clientSecret: string; redirectUri: string }): void;
  /** Token endpoint grants seen, in order (`authorization_code`, `refresh_token`). */
  readonly grants: string[];
  /** Refresh tokens destroyed (revoked at the revocation endpoint). */
  readonly destroyedRefreshTokens: string[];
  /** Grants the provider revoked itself, as it does when a spent refresh token is presented again. */
  readonly revokedGrants: string[];
  stop(): Promise<void>;
}

/**
 * panva's `oidc-provider` (OpenID Certified) on loopback, configured as a strict production
 * provider: PKCE required, refresh-token rotation on (a reused one revokes the grant), 60 s access
 * tokens, `iss` in every authorization response (RFC 9207), revocation (RFC 7009) that ends the
 * whole grant, and the grant reused when the same person consents again. Login and consent are
 * granted at once: the test plays the person.
 */
export const startConformanceProvider = async (): Promise<ConformanceProvider> => {
  let provider: Provider | undefined;
  const grants: string[] = [];
  const destroyedRefreshTokens: string[] = [];
  const revokedGrants: string[] = [];
  const grantIds = new Map<string, string>();
  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    if (!provider) {
      response.writeHead(503).end();
      return;
    }
    if (request.url?.startsWith('/interaction/')) {
      // The person signs in and consents; the grant is created by loadExistingGrant below.
      await provider.interactionFinished(request, response, { login: { accountId: 'user-1' } });
      return;
    }
    provider.callback()(request, response);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    grants,
    destroyedRefreshTokens,
    revokedGrants,
    registerClient: ({ clientId, clientSecret, redirectUri }) => {
      provider = new Provider(url, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        routes: {
          authorization: '/authorize',
          token: '/token',
          userinfo: '/userinfo',
          revocation: '/revoke',
        },
        pkce: { required: () => true },
        rotateRefreshToken: true,
        ttl: {
          AccessToken: 60,
          AuthorizationCode: 60,
          RefreshToken: 86_400,
          Grant: 86_400,
          Session: 3600,
          Interaction: 600,
        },
        features: {
          devInteractions: { enabled: false },
          // The one client revokes its own tokens.
          revocation: { enabled: true, allowedPolicy: async () => true },
        },
        issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
        expiresWithSession: async () => false,
        interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
        findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
        // The same person consenting again to the same client gets the grant they already have
        // (as Google does): a re-connect's new tokens belong to the old tokens' grant.
        loadExistingGrant: async (ctx) => {
          const accountId = ctx.oidc.session?.accountId;
          const clientId = ctx.oidc.client?.clientId;
          if (!accountId || !clientId) return undefined;
          const existing = grantIds.get(`${accountId}|${clientId}`);
          const found = existing ? await ctx.oidc.provider.Grant.find(existing) : undefined;
          if (found) return found;
          const grant = new ctx.oidc.provider.Grant({ accountId, clientId });
          grant.addOIDCScope('openid profile');
          grantIds.set(`${accountId}|${clientId}`, await grant.save());
          return grant;
        },
        cookies: { keys: ['conformance-test-cookie-key'] },
      });
      provider.on('grant.success', (ctx) => grants.push(String(ctx.oidc.params?.grant_type)));
      provider.on('refresh_token.destroyed', (token) => destroyedRefreshTokens.push(String(token.jti)));
      provider.on('grant.revoked', (_ctx, grantId) => revokedGrants.push(grantId));
    },
    stop: () =>
      new Promise((stopped) => {
        server.closeAllConnections();
        server.close(() => stopped());
      }),
  };
};
