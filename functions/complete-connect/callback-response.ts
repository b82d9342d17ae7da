import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isTransientFailure } from '../../shared/errors/transient-failure.ts';
import { escapeHtml } from '../../shared/lambda/html.ts';
import type { HttpResult } from '../../shared/lambda/http-response.ts';
import { countOutcome } from '../../shared/lambda/outcome-metrics.ts';
import { describeError } from '../../shared/ports/logger.ts';
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

/** `GET /oauth2/callback`: public (the browser comes from the provider with no token). */
export const createCallbackHandler =
  (deps: UseCaseDependencies) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const query = event.queryStringParameters ?? {};
    try {
      const outcome = await completeConnect(deps, {
        ...(query.code ? { code: query.code } : {}),
        ...(query.state ? { state: query.state } : {}),
        ...(query.error ? { error: query.error } : {}),
      });
      deps.logger.info('request', {
        operation: 'completeConnect',
        outcome: outcome.kind,
        ...(outcome.kind === 'failed' ? { reason: outcome.reason } : {}),
      });
      return toCallbackResponse(outcome);
    } catch (error) {
      deps.logger.error('connect callback failed', { operation: 'completeConnect', ...describeError(error) });
      countOutcome(
        deps.metrics,
        isTransientFailure(error) ? 503 : 500,
        isTransientFailure(error) ? 'upstream_unavailable' : 'internal',
        false,
      );
      return isTransientFailure(error)
        ? page(503, 'Try again', 'The service is busy for a moment. Go back and connect again.')
        : page(500, 'Not connected', 'The service could not finish connecting. Start again later.');
    }
  };
