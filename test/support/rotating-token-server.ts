import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * How the provider behaves on the next token calls. Modes ending in "AfterCommit" rotate the
 * refresh token (the old one is spent) before failing, as a provider behind a proxy or a dropped
 * connection does.
 */
export type ProviderMode =
  | { kind: 'normal'; expiresIn?: unknown }
  | { kind: 'slowAfterCommit'; delayMs: number }
  | { kind: 'unavailable'; status: 429 | 503 }
  | { kind: 'badGatewayAfterCommit' }
  | { kind: 'truncatedAfterCommit' }
  | { kind: 'emptyAccessTokenAfterCommit' };

export interface RotatingTokenServer {
  readonly url: string;
  readonly tokenUrl: string;
  /** Every refresh token presented, in order. */
  readonly presented: string[];
  /** Presentations of a refresh token the provider had already spent: the goal is 0. */
  reuses(): number;
  /** Starts a new token family (what a connect flow would issue) and returns its refresh token. */
  issueFamily(): string;
  isValidRefreshToken(token: string): boolean;
  isValidAccessToken(token: string): boolean;
  /** The mode for the next `count` calls (then normal again). */
  setMode(mode: ProviderMode, count?: number): void;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * A strict provider, as Google, Salesforce and others are with rotation on: each refresh token is
 * valid once; presenting a spent one answers invalid_grant and revokes the whole token family
 * (every refresh and access token descended from the same grant).
 */
export const startRotatingTokenServer = async (): Promise<RotatingTokenServer> => {
  const familyOf = new Map<string, string>();
  const validRefresh = new Set<string>();
  const spent = new Set<string>();
  const validAccess = new Map<string, string>();
  const revokedFamilies = new Set<string>();
  const presented: string[] = [];
  let reuses = 0;
  let modes: ProviderMode[] = [];
  const token = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;

  const issuePair = (family: string) => {
    const refresh = token('rt');
    const access = token('at');
    familyOf.set(refresh, family);
    validRefresh.add(refresh);
    validAccess.set(access, family);
    return { refresh, access };
  };
  const revoke = (family: string) => {
    revokedFamilies.add(family);
    for (const [refresh, owner] of familyOf) if (owner === family) validRefresh.delete(refresh);
    for (const [access, owner] of validAccess) if (owner === family) validAccess.delete(access);
  };

  const server = createServer(async (request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (request.url !== '/token' || request.method !== 'POST') return send(404, { error: 'not_found' });
    const form = new URLSearchParams(await readBody(request));
    const refresh = form.get('refresh_token') ?? '';
    presented.push(refresh);
    const mode = modes.shift() ?? { kind: 'normal' };
    if (mode.kind === 'unavailable') return send(mode.status, 'Service Unavailable');
    if (spent.has(refresh)) {
      reuses++;
      const family = familyOf.get(refresh);
      if (family) revoke(family);
      return send(400, { error: 'invalid_grant', error_description: 'refresh token reused; family revoked' });
    }
    if (!validRefresh.has(refresh)) return send(400, { error: 'invalid_grant' });
    // The commit: the presented token is spent, a new pair exists.
    const family = familyOf.get(refresh) ?? 'unknown';
    validRefresh.delete(refresh);
    spent.add(refresh);
    const pair = issuePair(family);
    const body = {
      access_token: pair.access,
      refresh_token: pair.refresh,
      token_type: 'Bearer',
      ...(mode.kind === 'normal' && 'expiresIn' in mode
        ? mode.expiresIn === undefined
          ? {}
          : { expires_in: mode.expiresIn }
        : { expires_in: 3600 }),
    };
    switch (mode.kind) {
      case 'slowAfterCommit':
        await new Promise((resolve) => setTimeout(resolve, mode.delayMs));
        return send(200, body);
      case 'badGatewayAfterCommit':
        return send(502, '<html>Bad Gateway</html>');
      case 'truncatedAfterCommit':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write(JSON.stringify(body).slice(0, 40));
        response.destroy();
        return;
      case 'emptyAccessTokenAfterCommit':
        return send(200, { ...body, access_token: '' });
      default:
        return send(200, body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    tokenUrl: `${url}/token`,
    presented,
    reuses: () => reuses,
    issueFamily: () => issuePair(token('family')).refresh,
    isValidRefreshToken: (value) => validRefresh.has(value),
    isValidAccessToken: (value) => validAccess.has(value),
    setMode: (mode, count = 1) => {
      modes = Array.from({ length: count }, () => mode);
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
