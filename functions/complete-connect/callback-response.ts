import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describeError } from '../../shared/errors/describe-error.ts';
import { toProblem } from '../../shared/errors/problem.ts';
import { escapeHtml } from '../../shared/lambda/html.ts';
import type { HttpResult } from '../../shared/lambda/http-response.ts';
import { invocationBound } from '../../shared/lambda/lambda-handler.ts';
import { countOutcome } from '../../shared/lambda/outcome-metrics.ts';
import { type CallbackOutcome, completeConnect } from '../../shared/use-cases/connect.ts';
import type { UseCaseDependencies } from '../../shared/use-cases/use-case-dependencies.ts';

/** The browser lands here from the provider: no caching, no referrer (the code is in the URL). */
const HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

const page = (status: number, title: string, message: string): HttpResult => ({
  statusCode: status,
  headers: { ...HEADERS, 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family:sans-serif;max-width:40rem;margin:3rem auto"><main><h1>${escapeHtml(title)}</h1><p>${message}</p></main></body></html>\n`,
});

const REASONS: Record<string, string> = {
  unknown_state: 'This link is not a connect session of this service (or it was changed on the way).',
  state_already_used: 'This connect session was already used. Start a new one.',
  session_expired: 'This connect session expired (sessions last 10 minutes). Start a new one.',
  missing_code: 'The provider sent no authorization code.',
  oauth_app_missing: 'No OAuth app is registered for this component any more.',
  issuer_mismatch:
    'The answer came from another server than the provider this connection was started with. Nothing was stored.',
  issuer_missing: 'The provider did not say who it is (no iss), which it always does. Nothing was stored.',
};

const explain = (reason: string): string =>
  REASONS[reason] ??
  (reason.startsWith('provider_error:')
    ? `The provider answered <code>${escapeHtml(reason.slice('provider_error:'.length))}</code> (for example, consent was denied).`
    : `Connecting failed: <code>${escapeHtml(reason)}</code>. Nothing was stored.`);

const redirect = (returnUrl: string, parameters: Record<string, string>): HttpResult => {
  const target = new URL(returnUrl);
  for (const [name, value] of Object.entries(parameters)) target.searchParams.set(name, value);
  return { statusCode: 303, headers: { ...HEADERS, location: target.toString() }, body: '' };
};

export const toCallbackResponse = (outcome: CallbackOutcome): HttpResult => {
  const returnUrl = outcome.session?.returnUrl;
  if (outcome.kind === 'connected') {
    if (returnUrl)
      return redirect(returnUrl, {
        credentialId: outcome.credentialId,
        sessionId: outcome.session.sessionId,
      });
    return page(
      200,
      `${outcome.componentName} connected`,
      `The credential <code>${escapeHtml(outcome.credentialId)}</code> is stored and verified. You can close this page.`,
    );
  }
  if (returnUrl && outcome.session)
    return redirect(returnUrl, { sessionId: outcome.session.sessionId, error: outcome.reason });
  return page(400, 'Not connected', explain(outcome.reason));
};

/** Seconds the 503 page asks the person to wait before trying again. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A failure the use case could not turn into an answer: AWS busy (503, try again: whether
 * anything was stored is not known, so the page never says nothing was), or a bug (500).
 */
const failurePage = (deps: UseCaseDependencies, error: unknown): HttpResult => {
  deps.logger.error('connect callback failed', { operation: 'completeConnect', ...describeError(error) });
  const transient = toProblem(error).status === 503;
  countOutcome(deps.metrics, transient ? 503 : 500, transient ? 'upstream_unavailable' : 'internal', false);
  if (!transient)
    return page(500, 'Not connected', 'The service could not finish connecting. Start again later.');
  const busy = page(
    503,
    'Try again',
    'The service is busy for a moment and could not confirm the connection. Wait a few seconds, then start connecting again.',
  );
  return { ...busy, headers: { ...busy.headers, 'retry-after': String(RETRY_AFTER_SECONDS) } };
};

/**
 * `GET /oauth2/callback`: public (the browser comes from the provider with no token). It runs in
 * the same invocation-bound middy as every operation (its AWS calls end with the invocation), and
 * answers HTML rather than problem+json because a person's browser reads it.
 */
export const createCallbackHandler = (deps: UseCaseDependencies) =>
  invocationBound<APIGatewayProxyEventV2, HttpResult>(async (event) => {
    const query = event.queryStringParameters ?? {};
    const outcome = await completeConnect(deps, {
      ...(query.code ? { code: query.code } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.error ? { error: query.error } : {}),
      ...(query.iss !== undefined ? { iss: query.iss } : {}),
    });
    deps.logger.info('request', {
      operation: 'completeConnect',
      outcome: outcome.kind,
      ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
    });
    return toCallbackResponse(outcome);
  }).use({
    onError: (request) => {
      request.response = failurePage(deps, request.error);
      request.error = null as unknown as Error;
    },
  });
