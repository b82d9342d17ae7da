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
 * against the challenge. The `demo-oauth2` and `demo-machine` components point at it.
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
  // Says who the account is, as providers' userinfo does: the connected credential is named for it.
  server.service.on('beforeUserinfo', (userinfo: { body: Record<string, unknown> }) => {
    userinfo.body = { ...userinfo.body, email: 'demo.user@example.com' };
  });
  await server.start(options.port ?? 0, '127.0.0.1');
  const baseUrl = `http://127.0.0.1:${server.address().port}`;
  server.issuer.url = baseUrl;
  // RFC 9207: every authorization response names its issuer, as the demo component's descriptor says.
  server.service.on('beforeAuthorizeRedirect', (redirect: { url: URL }) => {
    redirect.url.searchParams.set('iss', baseUrl);
  });
  return { baseUrl, server, tokenRequests, stop: () => server.stop() };
};
