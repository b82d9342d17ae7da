import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { allowedMethods } from '../../api/routes.ts';
import { AppError } from '../../shared/errors/app-error.ts';
import { toProblem } from '../../shared/errors/problem.ts';
import { PROBLEM_GUIDES, type ProblemGuide, problemGuide } from '../../shared/errors/problem-guide.ts';
import { escapeHtml } from '../../shared/lambda/html.ts';
import { type HttpResult, json, problemResponse } from '../../shared/lambda/http-response.ts';

/** The guides use `backticks` for names; everything else is text. */
const inline = (text: string): string => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const page = (title: string, body: string): HttpResult => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'public, max-age=3600',
    'x-content-type-options': 'nosniff',
    'content-security-policy':
      "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  },
  body: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>${body}</body></html>\n`,
});

const guidePage = (guide: ProblemGuide): HttpResult =>
  page(
    `${guide.title} (${guide.status})`,
    `<main><h1>${escapeHtml(guide.title)}</h1>
<p>HTTP status <strong>${guide.status}</strong>, <code>code: "${guide.code}"</code></p>
<h2>What happened</h2><p>${inline(guide.meaning)}</p>
<h2>What to do</h2><p>${inline(guide.action)}</p>
${guide.extensions ? `<h2>Extra members</h2><ul>${guide.extensions.map((name) => `<li><code>${escapeHtml(name)}</code></li>`).join('')}</ul>` : ''}
<p><a href="/problems">All problems</a> · <a href="/openapi.json">API document</a></p></main>`,
  );

const indexPage = (): HttpResult =>
  page(
    'Problems the credentials API answers',
    `<main><h1>Problems the credentials API answers</h1>
<p>Every error is an RFC 9457 problem+json body whose <code>type</code> links to one of these pages.</p>
<ul>${PROBLEM_GUIDES.map((guide) => `<li><a href="/problems/${guide.code}">${guide.status} ${escapeHtml(guide.title)}</a> (<code>${guide.code}</code>)</li>`).join('\n')}</ul></main>`,
  );

/**
 * The API's public documents: the OpenAPI contract and one page per problem `type`. No token: a
 * client generator and a person following a problem's link have none, and nothing here is tenant data.
 */
export const serveApiDocument = (event: APIGatewayProxyEventV2, document: unknown): HttpResult => {
  const path = event.rawPath;
  const origin = `${event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https'}://${event.requestContext.domainName}`;
  // The stack routes `ANY <path>` here for every path the API has: API Gateway picks a route with
  // the request's own method first, so only methods the path does not answer arrive.
  if (event.routeKey.startsWith('ANY ')) {
    const template = event.routeKey.slice('ANY '.length);
    const allow = allowedMethods(template);
    // OPTIONS (a browser's CORS preflight among them) reaches this route too, since an ANY route
    // takes it before API Gateway's own preflight answer: 204 with Allow, and API Gateway adds the
    // stack's configured CORS headers to it.
    if (event.requestContext.http.method === 'OPTIONS') {
      return { statusCode: 204, headers: { allow: `${allow}, OPTIONS`, 'cache-control': 'no-store' } };
    }
    return problemResponse(
      toProblem(
        new AppError(
          'method_not_allowed',
          `${path.slice(0, 200)} does not answer ${event.requestContext.http.method}; it answers ${allow}.`,
        ),
        origin,
      ),
      { allow },
    );
  }
  if (path === '/openapi.json') {
    // The served copy names the origin that served it: "Try it out" and generated clients then
    // talk to this API, never to whatever listens on a default port.
    const served = {
      ...(document as Record<string, unknown>),
      servers: [{ url: origin, description: 'This API' }],
    };
    return json(200, served, {
      'cache-control': 'public, max-age=300',
      'access-control-allow-origin': '*',
    });
  }
  if (path === '/problems' || path === '/problems/') return indexPage();
  const code = event.pathParameters?.code ?? '';
  const guide = problemGuide(code);
  if (guide) return guidePage(guide);
  return problemResponse(
    toProblem(new AppError('not_found', 'There is no such problem type; /problems lists them all.'), origin),
  );
};
