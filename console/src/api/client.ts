import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Credential = Schemas['Credential'];
export type ComponentSummary = Schemas['ComponentSummary'];
export type Component = Schemas['Component'];
export type Flow = Schemas['Flow'];
export type Problem = Schemas['Problem'];
export type AuditRecord = Schemas['AuditRecord'];

/** An answer the API refused: the problem+json body, or what the gateway said. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const asProblem = (status: number, body: unknown): Problem => {
  // The API words these for developers; a person is told what to do.
  if (status === 401)
    return {
      type: 'about:blank',
      title: 'Your session has ended',
      status,
      code: 'unauthorized',
      detail: 'Sign in again, then try again. What you typed is kept.',
      errors: [],
    };
  if (status === 403)
    return {
      type: 'about:blank',
      title: 'Not allowed',
      status,
      code: 'insufficient_scope',
      detail: 'Your sign-in does not allow this. Ask an administrator for access.',
      errors: [],
    };
  if (body && typeof body === 'object' && 'code' in body && 'title' in body) return body as Problem;
  const message = body && typeof body === 'object' && 'message' in body ? String(body.message) : '';
  return {
    type: 'about:blank',
    title: status === 429 ? 'Too many requests' : `Request failed (${status})`,
    status,
    code: status === 401 ? 'unauthorized' : 'internal',
    detail: message || 'The service answered with an error. Try again.',
    errors: [],
  };
};

/** A request that has not answered by then is given up, and the screen offers Retry. */
export const REQUEST_TIMEOUT_MS = 25_000;

/**
 * The API client, typed from the OpenAPI document the API serves (`npm run openapi` regenerates
 * schema.d.ts). The bearer token comes from session storage, never from anywhere persistent. A
 * 401 tells `onUnauthorized` (the session ended: the console asks the person to sign in again,
 * keeping the screen as it is).
 */
export const createApi = (
  baseUrl: string,
  token: () => string | null,
  onUnauthorized: () => void = () => undefined,
  timeoutMs = REQUEST_TIMEOUT_MS,
) => {
  const client = createClient<paths>({
    baseUrl,
    fetch: (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) }),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const bearer = token();
      if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) onUnauthorized();
      return response;
    },
  };
  client.use(auth);
  return client;
};

/** What a request that got no answer means, in words (a stopped API, a lost network, a timeout). */
export const unreachable = (error: unknown): Problem => ({
  type: 'about:blank',
  title: 'The service could not be reached',
  status: 0,
  code: 'internal',
  detail:
    error instanceof DOMException && error.name === 'TimeoutError'
      ? 'It did not answer in time. Nothing is lost: try again.'
      : 'Check your connection, then try again.',
  errors: [],
});

/** Any failure as a problem to show: the API's own refusal, or why no answer came. */
export const problemOf = (error: unknown): Problem =>
  error instanceof ApiProblem ? error.problem : unreachable(error);
export type Api = ReturnType<typeof createApi>;

/** Unwraps an openapi-fetch answer: the data, or an ApiProblem to show. */
export const unwrap = <T>(result: { data?: T; error?: unknown; response: Response }): T => {
  if (result.response.ok) return result.data as T;
  throw new ApiProblem(asProblem(result.response.status, result.error));
};

export const etagOf = (response: Response): string => response.headers.get('etag') ?? '*';
