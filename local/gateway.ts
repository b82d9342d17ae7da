import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { type HttpFunctionName, PUBLIC_ROUTES, type PublicRoute, ROUTES, type Route } from '../api/routes.ts';
import { buildConsole, consoleContentSecurityPolicy } from '../console/build.ts';
import { handler as apiDocumentHandler } from '../functions/get-api-document/handler.ts';
import { AppError } from '../shared/errors/app-error.ts';
import { toProblem } from '../shared/errors/problem.ts';
import { MAX_BODY_BYTES } from '../shared/lambda/http-request.ts';
import { problemResponse } from '../shared/lambda/http-response.ts';
import { grantedScopes, insufficientScope } from '../shared/lambda/scopes.ts';
import type { LocalIssuer } from './local-issuer.ts';
import { apiReference, REFERENCE_CONTENT_SECURITY_POLICY } from './reference/api-reference.ts';

export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2 | unknown>;

export interface LocalGateway {
  readonly url: string;
  stop(): Promise<void>;
}

interface CompiledRoute {
  readonly route: Route | PublicRoute;
  readonly pattern: RegExp;
  readonly parameterNames: string[];
}

const compile = (route: Route | PublicRoute): CompiledRoute => {
  const parameterNames: string[] = [];
  const source = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
    parameterNames.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), parameterNames };
};

const lambdaContext = (functionName: string): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 30_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  }) as Context;

/**
 * The gateway's own address as the client named it (`127.0.0.1:<port>`, `localhost:<port>`,
 * `[::1]:<port>`), or its listening address for anything else: a `Host` header is the client's
 * word, and it ends up in problem `type` links and the served document's `servers`.
 */
const hosts = new WeakMap<IncomingMessage, string>();
const ownHost = (request: IncomingMessage): string => {
  // Read once, while the socket is open: an answer may be sent after the body was cut off.
  const known = hosts.get(request);
  if (known !== undefined) return known;
  const host = hostOf(request);
  hosts.set(request, host);
  return host;
};
const hostOf = (request: IncomingMessage): string => {
  const address = (request.socket?.address() ?? {}) as Partial<AddressInfo>;
  const port = address.port ?? 0;
  const named = request.headers.host ?? '';
  const match = /^(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})$/.exec(named);
  if (match && Number(match[2]) === port) return named;
  return address.family === 'IPv6' ? `[${address.address}]:${port}` : `${address.address}:${port}`;
};

const sendProblem = (
  response: ServerResponse,
  error: AppError,
  headers: Record<string, string> = {},
): void => {
  const result = problemResponse(toProblem(error, `http://${ownHost(response.req)}`));
  response.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), ...headers });
  response.end(result.body);
};

/**
 * How API Gateway's JWT authorizer hands claims to Lambda: every value as a string, arrays as
 * `[a b]`. The handler must cope with exactly this, so the local stand-in does the same.
 */
const asApiGatewayClaim = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(String).join(' ')}]`;
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
};

/** Repeated names are comma-joined, as API Gateway does in `queryStringParameters`. */
const queryParameters = (url: URL): Record<string, string> | undefined => {
  if (url.searchParams.size === 0) return undefined;
  const joined = new Map<string, string>();
  for (const [name, value] of url.searchParams) {
    const earlier = joined.get(name);
    joined.set(name, earlier === undefined ? value : `${earlier},${value}`);
  }
  return Object.fromEntries(joined);
};

const readBody = async (request: IncomingMessage): Promise<Buffer | null> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
};

/**
 * A local stand-in for API Gateway's HTTP API: matches the same routes, verifies the bearer token
 * like the JWT authorizer, builds the same v2 event Lambda receives and calls the handler.
 */
export const startLocalGateway = async (options: {
  handlers: Record<HttpFunctionName, LambdaHttpHandler>;
  /** The console's sign-in: locally a token in the URL fragment, or an OpenID Connect provider. */
  console?: { oidc?: { authority: string; clientId: string; scope: string } };
  /** `GET /oauth2/callback` (public), when the stack runs the connect flow. */
  callbackHandler?: LambdaHttpHandler;
  issuer: LocalIssuer;
  port?: number;
  host?: string;
}): Promise<LocalGateway> => {
  const routes = [...ROUTES, ...PUBLIC_ROUTES].map(compile);
  // The console, built once on its first request (esbuild, in memory).
  let consoleFiles: ReturnType<typeof buildConsole> | undefined;
  // Verified claims per token until the token expires: signature checks are the gateway's cost,
  // not the service's, and a real HTTP API does them outside the function.
  const verified = new Map<string, Record<string, unknown>>();
  const verify = async (token: string): Promise<Record<string, unknown>> => {
    const cached = verified.get(token);
    if (cached && Number(cached.exp) * 1000 > Date.now()) return cached;
    const claims = await options.issuer.verify(token);
    if (verified.size >= 1000) verified.clear();
    verified.set(token, claims);
    return claims;
  };

  const server: Server = createServer(async (request, response) => {
    ownHost(request);
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = request.method ?? 'GET';
      const candidates = routes
        .map((compiled) => ({ compiled, match: compiled.pattern.exec(url.pathname) }))
        .filter((candidate) => candidate.match);
      const hit = candidates.find((candidate) => candidate.compiled.route.method === method);
      if (!hit && method === 'GET' && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
        if (url.pathname === '/console') {
          response.writeHead(301, { location: '/console/' });
          response.end();
          return;
        }
        consoleFiles ??= buildConsole({
          apiUrl: '',
          ...(options.console?.oidc ? { oidc: options.console.oidc } : {}),
        });
        const name = url.pathname.slice('/console/'.length) || 'index.html';
        const files = await consoleFiles;
        // Only the files it built: `constructor` or `__proto__` name no file.
        const file = Object.hasOwn(files, name) ? files[name] : undefined;
        if (file) {
          response.writeHead(200, {
            'content-type': file.contentType,
            'content-security-policy': consoleContentSecurityPolicy(
              options.console?.oidc ? [new URL(options.console.oidc.authority).origin] : [],
            ),
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'cache-control': 'no-store',
          });
          response.end(file.body);
          return;
        }
      }
      if (!hit && method === 'GET' && url.pathname.startsWith('/reference')) {
        const page = await apiReference(url.pathname);
        if (page) {
          response.writeHead(page.status, {
            'content-type': page.contentType,
            'content-security-policy': REFERENCE_CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
          });
          response.end(page.body);
          return;
        }
      }
      if (!hit?.match) {
        if (candidates.length > 0) {
          const allow = candidates.map((candidate) => candidate.compiled.route.method).join(', ');
          // As the stack's ANY route does: OPTIONS is answered with what the path allows.
          if (method === 'OPTIONS') {
            response.writeHead(204, { allow: `${allow}, OPTIONS`, 'cache-control': 'no-store' });
            response.end();
            return;
          }
          sendProblem(
            response,
            new AppError(
              'method_not_allowed',
              `${url.pathname} does not answer ${method}; it answers ${allow}.`,
            ),
            { allow },
          );
          return;
        }
        sendProblem(response, new AppError('route_not_found', `No route for ${method} ${url.pathname}.`));
        return;
      }
      const { route } = hit.compiled;
      let claims: Record<string, unknown> = {};
      if ('scope' in route) {
        const authorization = request.headers.authorization ?? '';
        const token = /^Bearer (.+)$/i.exec(authorization)?.[1];
        try {
          if (!token) throw new Error('missing');
          claims = await verify(token);
        } catch {
          sendProblem(response, new AppError('unauthorized', 'Send a valid, unexpired bearer token.'), {
            'www-authenticate': token ? 'Bearer error="invalid_token"' : 'Bearer',
          });
          return;
        }
        // The route's authorizationScopes, checked before the function runs, as API Gateway does.
        if (!grantedScopes(claims).has(route.scope)) {
          sendProblem(response, insufficientScope(route.scope));
          return;
        }
      }
      const body = await readBody(request);
      if (body === null) {
        sendProblem(
          response,
          new AppError('payload_too_large', `The request body exceeds ${MAX_BODY_BYTES} bytes.`),
        );
        return;
      }
      const { compiled } = hit;
      let pathParameters: Record<string, string>;
      try {
        pathParameters = Object.fromEntries(
          compiled.parameterNames.map((name, index) => [
            name,
            decodeURIComponent(hit.match?.[index + 1] ?? ''),
          ]),
        );
      } catch {
        sendProblem(response, new AppError('malformed_request', 'The path has malformed percent-encoding.'));
        return;
      }
      const headers = {
        ...Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [
            name,
            Array.isArray(value) ? value.join(',') : (value ?? ''),
          ]),
        ),
        // API Gateway tells the function the scheme the client used; locally it is plain HTTP.
        'x-forwarded-proto': 'http',
      };
      const query = queryParameters(url);
      const routeKey = `${compiled.route.method} ${compiled.route.path}`;
      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        queryStringParameters: query,
        pathParameters: compiled.parameterNames.length > 0 ? pathParameters : undefined,
        // Bytes that are not UTF-8 text reach the function as they came, base64-encoded, so it can
        // refuse them rather than see U+FFFD.
        body:
          body.byteLength === 0 ? undefined : isUtf8(body) ? body.toString('utf8') : body.toString('base64'),
        isBase64Encoded: body.byteLength > 0 && !isUtf8(body),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: ownHost(request),
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: 'HTTP/1.1',
            sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
            userAgent: request.headers['user-agent'] ?? '',
          },
          requestId: randomUUID(),
          routeKey,
          stage: '$default',
          time: new Date().toISOString(),
          timeEpoch: Date.now(),
          authorizer: {
            principalId: '',
            integrationLatency: 0,
            // API Gateway passes claims as strings.
            jwt: {
              claims: Object.fromEntries(
                Object.entries(claims).map(([name, value]) => [name, asApiGatewayClaim(value)]),
              ),
              scopes: [...grantedScopes(claims)],
            },
          },
        },
      };
      const { functionName } = compiled.route;
      const handler =
        functionName === 'get-api-document'
          ? apiDocumentHandler
          : functionName === 'complete-connect'
            ? options.callbackHandler
            : options.handlers[functionName];
      if (!handler) {
        sendProblem(response, new AppError('route_not_found', `No route for ${method} ${url.pathname}.`));
        return;
      }
      const result = (await handler(
        event,
        lambdaContext(compiled.route.functionName),
      )) as APIGatewayProxyStructuredResultV2;
      response.writeHead(result.statusCode ?? 200, (result.headers ?? {}) as Record<string, string>);
      response.end(result.body ?? '');
    } catch {
      sendProblem(response, new AppError('internal', 'internal'));
    }
  });
  // Node answers an oversized request line or header (a huge path or cursor) with a bare 431; the
  // API answers problem+json everywhere.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const result = problemResponse(
      toProblem(
        tooLarge
          ? new AppError(
              'header_fields_too_large',
              'The request line or headers are too large (16 KB at most).',
            )
          : new AppError('malformed_request', 'The request is not valid HTTP.'),
      ),
    );
    const headers = Object.entries(result.headers ?? {})
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n');
    const body = result.body ?? '';
    socket.end(
      `HTTP/1.1 ${result.statusCode} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n${headers}\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.keepAliveTimeout = 5000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
