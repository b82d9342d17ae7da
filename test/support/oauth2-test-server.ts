import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuth2TestServer {
  readonly url: string;
  readonly tokenUrl: string;
  readonly userinfoUrl: string;
  /** Token-endpoint calls, in order, with the refresh token each presented. */
  readonly tokenCalls: { refreshToken: string; clientId: string | undefined }[];
  /** Issues a fresh, valid refresh token (as an authorization flow would). */
  issueRefreshToken(): string;
  issueAccessToken(): string;
  revokeAccessToken(token: string): void;
  /** The next `times` token requests answer 503 with this Retry-After (seconds). */
  answerUnavailable(times: number, retryAfterSeconds: number): void;
  /** Refresh tokens already used: presenting one again answers invalid_grant (rotation). */
  readonly usedRefreshTokens: Set<string>;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A small OAuth2 authorization server on loopback with rotating refresh tokens: every refresh
 * invalidates the refresh token it used and issues a new pair, as strict providers do.
 */
export const startOAuth2TestServer = async (
  options: {
    clientId?: string;
    clientSecret?: string;
    expiresIn?: number;
    tokenDelayMs?: number;
    /** Spend the refresh token presented and issue a new one (default), or keep it. */
    rotates?: boolean;
    /** Sent as `refresh_token_expires_in` with every refresh (a provider that ends grants). */
    refreshTokenExpiresIn?: () => number;
  } = {},
): Promise<OAuth2TestServer> => {
  const clientId = options.clientId ?? 'client-1';
  const clientSecret = options.clientSecret ?? 'client-secret-1';
  let outages = 0;
  let outageRetryAfter = 0;
  const validRefresh = new Set<string>();
  const usedRefreshTokens = new Set<string>();
  const validAccess = new Set<string>();
  const tokenCalls: OAuth2TestServer['tokenCalls'] = [];
  const token = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
  const issueRefreshToken = () => {
    const value = token('rt');
    validRefresh.add(value);
    return value;
  };
  const issueAccessToken = () => {
    const value = token('at');
    validAccess.add(value);
    return value;
  };

  const server = createServer(async (request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/token' && request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const [id, secret] = basic
        ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent)
        : [form.get('client_id') ?? undefined, undefined];
      const presented = form.get('refresh_token') ?? '';
      tokenCalls.push({ refreshToken: presented, clientId: id });
      if (options.tokenDelayMs) await new Promise((resolve) => setTimeout(resolve, options.tokenDelayMs));
      if (id !== clientId || secret !== clientSecret) return send(401, { error: 'invalid_client' });
      if (outages > 0) {
        outages--;
        return send(503, { error: 'temporarily_unavailable' }, { 'retry-after': String(outageRetryAfter) });
      }
      if (form.get('grant_type') !== 'refresh_token' || !validRefresh.has(presented)) {
        return send(400, {
          error: 'invalid_grant',
          error_description: `refresh token ${presented} is not valid`,
        });
      }
      // Rotation on (the default): the token presented is spent and a new one issued. Off: it stays
      // valid and the answer carries none, as Google's does.
      const rotates = options.rotates ?? true;
      if (rotates) {
        validRefresh.delete(presented);
        usedRefreshTokens.add(presented);
      }
      return send(200, {
        access_token: issueAccessToken(),
        ...(rotates ? { refresh_token: issueRefreshToken() } : {}),
        token_type: 'Bearer',
        expires_in: options.expiresIn ?? 3600,
        ...(options.refreshTokenExpiresIn === undefined
          ? {}
          : { refresh_token_expires_in: options.refreshTokenExpiresIn() }),
        scope: form.get('scope') ?? 'read',
      });
    }
    if (request.url === '/userinfo') {
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer || !validAccess.has(bearer))
        return send(401, { error: 'invalid_token' }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return send(200, { sub: 'user-1' });
    }
    send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    answerUnavailable: (times, retryAfterSeconds) => {
      outages = times;
      outageRetryAfter = retryAfterSeconds;
    },
    userinfoUrl: `${url}/userinfo`,
    tokenCalls,
    issueRefreshToken,
    issueAccessToken,
    revokeAccessToken: (value) => validAccess.delete(value),
    usedRefreshTokens,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
