import { randomUUID } from 'node:crypto';
import { OAuth2Server } from 'oauth2-mock-server';

export interface OAuth2DemoProvider {
  readonly baseUrl: string;
  /** The library's server, for tests that shape its answers (`service.on('beforeResponse', …)`). */
  readonly server: OAuth2Server;
  /** Token requests seen, without secrets: grant, whether a PKCE verifier came, which client. */
  readonly tokenRequests: { grantType: string; codeVerifierSent: boolean; clientId: string | undefined }[];
  stop(): Promise<void>;
}

/**
 * The demo OAuth2 provider `npm start` runs on loopback (`oauth2-mock-server`): its authorize
 * endpoint consents at once and redirects back with a code, and it checks the PKCE verifier
 * against the challenge. It keeps grants as a strict provider does: one per user, reused when they
 * consent again, and ended whole when one of its refresh tokens is revoked. The `demo-oauth2` and `demo-machine` components point at it.
 */
export const startOAuth2DemoProvider = async (
  options: { port?: number } = {},
): Promise<OAuth2DemoProvider> => {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  const tokenRequests: OAuth2DemoProvider['tokenRequests'] = [];
  server.service.on('beforeResponse', (_response, request) => {
    const body = (request as { body?: Record<string, string> }).body ?? {};
    const basic = /^Basic (.+)$/i.exec(String(request.headers.authorization ?? ''))?.[1];
    const basicId = basic
      ? decodeURIComponent(Buffer.from(basic, 'base64').toString('utf8').split(':')[0] ?? '')
      : undefined;
    tokenRequests.push({
      grantType: String(body.grant_type ?? ''),
      codeVerifierSent: typeof body.code_verifier === 'string',
      clientId: basicId ?? body.client_id,
    });
    if (tokenRequests.length > 1000) tokenRequests.shift();
  });
  // Grants as a strict provider keeps them (RFC 7009 §2.1, Google, oidc-provider): the demo user
  // consenting again gets the grant they already have, and revoking a refresh token ends its whole
  // grant, the tokens issued with it included.
  const grants = new Map<string, { revoked: boolean }>();
  const grantOfToken = new Map<string, string>();
  let currentGrant: string | undefined;
  const consentedScopes = new Map<string, string>();
  const grantScopes = new Map<string, string>();
  const revokedGrant = (token: string | undefined) => {
    const grant = token === undefined ? undefined : grantOfToken.get(token);
    return grant !== undefined && grants.get(grant)?.revoked === true;
  };
  server.service.on(
    'beforeResponse',
    (
      response: { statusCode: number; body: Record<string, unknown> },
      request: { body?: Record<string, string> },
    ) => {
      const body = request.body ?? {};
      if (body.grant_type === 'refresh_token' && revokedGrant(body.refresh_token)) {
        response.statusCode = 400;
        response.body = { error: 'invalid_grant', error_description: 'the grant was revoked' };
        return;
      }
      if (body.grant_type !== 'authorization_code' && body.grant_type !== 'refresh_token') return;
      let grant =
        body.grant_type === 'refresh_token' ? grantOfToken.get(body.refresh_token ?? '') : undefined;
      if (grant === undefined) {
        if (currentGrant === undefined || grants.get(currentGrant)?.revoked) {
          currentGrant = randomUUID();
          grants.set(currentGrant, { revoked: false });
        }
        grant = currentGrant;
      }
      for (const token of [response.body.access_token, response.body.refresh_token])
        if (typeof token === 'string') grantOfToken.set(token, grant);
      const consented =
        body.grant_type === 'authorization_code' ? consentedScopes.get(body.code ?? '') : undefined;
      if (consented !== undefined) {
        grantScopes.set(grant, consented);
        consentedScopes.delete(body.code ?? '');
      }
      // Without a scope of its own the token request gets the grant's, not the library's `dummy`.
      const scope = grantScopes.get(grant);
      if (scope !== undefined && body.scope === undefined) response.body.scope = scope;
    },
  );
  // The library parses no revocation form: read here (the body is already buffered, so this ends
  // before the client has the answer and can ask anything else).
  server.service.on('beforeRevoke', (_response: unknown, request: NodeJS.ReadableStream) => {
    let raw = '';
    request.on('data', (chunk) => {
      raw += String(chunk);
    });
    request.on('end', () => {
      const grant = grantOfToken.get(new URLSearchParams(raw).get('token') ?? '');
      const entry = grant === undefined ? undefined : grants.get(grant);
      if (entry) entry.revoked = true;
    });
  });
  // Says who the account is, as providers' userinfo does: the connected credential is named for it.
  server.service.on(
    'beforeUserinfo',
    (
      userinfo: { statusCode: number; body: Record<string, unknown> },
      request: { headers: Record<string, string | undefined> },
    ) => {
      const bearer = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
      if (revokedGrant(bearer)) {
        userinfo.statusCode = 401;
        userinfo.body = { error: 'invalid_token' };
        return;
      }
      userinfo.body = { ...userinfo.body, email: 'demo.user@example.com' };
    },
  );
  await server.start(options.port ?? 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  server.issuer.url = baseUrl;
  // RFC 9207: every authorization response names its issuer, as the demo component's descriptor says.
  server.service.on(
    'beforeAuthorizeRedirect',
    (redirect: { url: URL }, request: { query?: Record<string, unknown> }) => {
      redirect.url.searchParams.set('iss', baseUrl);
      // The scope the person consented to is the grant's, as a provider answers it with the tokens.
      const code = redirect.url.searchParams.get('code');
      const scope = request.query?.scope;
      if (code && typeof scope === 'string') consentedScopes.set(code, scope);
    },
  );
  return { baseUrl, server, tokenRequests, stop: () => server.stop() };
};
