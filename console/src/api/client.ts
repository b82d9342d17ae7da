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

/**
 * The API client, typed from the OpenAPI document the API serves (`npm run openapi` regenerates
 * schema.d.ts). The bearer token comes from session storage, never from anywhere persistent.
 */
export const createApi = (baseUrl: string, token: () => string | null) => {
  const client = createClient<paths>({ baseUrl });
  const auth: Middleware = {
    onRequest({ request }) {
      const bearer = token();
      if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
      return request;
    },
  };
  client.use(auth);
  return client;
};
export type Api = ReturnType<typeof createApi>;

/** Unwraps an openapi-fetch answer: the data, or an ApiProblem to show. */
export const unwrap = <T>(result: { data?: T; error?: unknown; response: Response }): T => {
  if (result.response.ok) return result.data as T;
  throw new ApiProblem(asProblem(result.response.status, result.error));
};

export const etagOf = (response: Response): string => response.headers.get('etag') ?? '*';
