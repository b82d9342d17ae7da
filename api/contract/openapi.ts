import * as z from 'zod/mini';
import { DEFAULT_COMPONENT_SETTINGS } from '../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../shared/components/index.ts';
import { SCOPES } from '../../shared/lambda/scopes.ts';
import { OPERATIONS } from '../operations.ts';
import { allowedMethods, PUBLIC_ROUTES, ROUTE_PATHS, ROUTES } from '../routes.ts';
import { componentCreateSchemas } from './component-schemas.ts';
import { OPERATION_DOCS } from './operation-docs.ts';
import {
  HEADER_NAMES,
  HEADERS,
  PROBLEM_RESPONSES,
  PROBLEM_SCHEMA,
  type ProblemResponseName,
  problemResponseObject,
} from './problem-responses.ts';
import { NAMED_SCHEMAS } from './response-schemas.ts';

type Json = Record<string, unknown>;
type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [key: string]: unknown };

/** Input members that come from request headers rather than the path, query or body. */
const HEADER_PARAMETERS: Record<string, Json> = {
  expectedVersion: {
    name: 'If-Match',
    in: 'header',
    description:
      'RFC 9110: the ETag of your last read (e.g. `"3"`), a list of them, or `*` for any current version. A weak or unknown tag never matches (412).',
    schema: { type: 'string', maxLength: 1024 },
    example: '"3"',
  },
  idempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description: 'Retries with the same key and body create one credential (kept 24 hours).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{8,128}$' },
    example: 'create-petstore-7f3a9c',
  },
};

/** Query members whose wire form (text) differs from what the schema parses them into. */
const QUERY_SCHEMAS: Record<string, Json> = {
  limit: {
    type: 'integer',
    minimum: 1,
    maximum: 100,
    description: 'Page size: 20 by default, 50 for audit.',
  },
  dryRun: { type: 'boolean', default: false },
  cursor: {
    type: 'string',
    minLength: 1,
    maxLength: 1024,
    description: 'The `nextCursor` of the previous page.',
  },
};

/** Every authenticated route can answer these, whatever it does. */
const COMMON_PROBLEMS: readonly ProblemResponseName[] = [
  'BadRequest',
  'Unauthorized',
  'Forbidden',
  'TooManyRequests',
  'CorruptItem',
  'InternalError',
  'ServiceUnavailable',
];

const EXAMPLE_CREDENTIAL = {
  id: 'petstore.01J9ZK4N8Q6W3B7R5T2Y1X0V9C',
  componentId: 'petstore',
  name: 'Petstore production',
  fields: {},
  secretFieldsSet: ['apiKey'],
  status: 'verified',
  statusReason: null,
  lastVerifiedAt: '2026-11-26T09:30:00.000Z',
  expiresSoonAt: null,
  version: 1,
  activeFlowCount: 0,
  flowCount: 0,
  createdAt: '2026-11-26T09:30:00.000Z',
  updatedAt: '2026-11-26T09:30:00.000Z',
  createdBy: 'user-42',
  updatedBy: 'user-42',
};

const jsonSchemaOf = (schema: z.core.$ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};

const namedSchemas = (): Record<string, Json> => {
  const registry = z.registry<{ id: string }>();
  for (const [name, schema] of Object.entries(NAMED_SCHEMAS)) registry.add(schema, { id: name });
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(Object.entries(schemas).map(([name, { $id: _id, ...schema }]) => [name, schema]));
};

const ref = (kind: 'schemas' | 'responses' | 'headers', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const headerName = (name: keyof typeof HEADERS): string => HEADER_NAMES[name];

const parametersOf = (path: string, properties: Record<string, JsonSchema>, required: Set<string>) => {
  const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  return Object.entries(properties).flatMap(([name, schema]) => {
    if (name === 'body') return [];
    if (pathNames.includes(name)) return [{ name, in: 'path', required: true, schema }];
    const header = HEADER_PARAMETERS[name];
    if (header) return [{ ...header, required: required.has(name) }];
    return [{ name, in: 'query', required: required.has(name), schema: QUERY_SCHEMAS[name] ?? schema }];
  });
};

const authenticatedOperations = (paths: Record<string, Record<string, Json>>, createBody: Json) => {
  for (const route of ROUTES) {
    const operation = OPERATIONS[route.functionName];
    const docs = OPERATION_DOCS[route.functionName];
    const input = jsonSchemaOf(operation.input, 'input');
    const properties = input.properties ?? {};
    const body = route.functionName === 'create-credential' ? createBody : properties.body;
    const bodyContent = body
      ? {
          'application/json': {
            schema: body,
            ...(route.functionName === 'create-credential'
              ? {
                  example: {
                    componentId: 'petstore',
                    name: 'Petstore production',
                    fields: { apiKey: 'special-key' },
                  },
                }
              : {}),
          },
          ...(route.method === 'PATCH' ? { 'application/merge-patch+json': { schema: body } } : {}),
        }
      : undefined;
    const successes = Object.fromEntries(
      docs.success.map((success) => [
        String(success.status),
        {
          description: success.description,
          ...(success.headers
            ? {
                headers: Object.fromEntries(
                  success.headers.map((name) => [headerName(name), ref('headers', name)]),
                ),
              }
            : {}),
          ...(success.schema
            ? {
                content: {
                  'application/json': {
                    schema: ref('schemas', success.schema),
                    ...(success.schema === 'Credential' ? { example: EXAMPLE_CREDENTIAL } : {}),
                  },
                },
              }
            : {}),
        },
      ]),
    );
    const problems = Object.fromEntries(
      [...COMMON_PROBLEMS, ...docs.problems]
        .map((name) => [String(PROBLEM_RESPONSES[name].status), ref('responses', name)] as const)
        .sort(([a], [b]) => a.localeCompare(b)),
    );
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, Json>)[route.method.toLowerCase()] = {
      operationId: operation.name,
      summary: docs.summary,
      description: `${docs.description}\n\nScope: \`${route.scope}\`.`,
      tags: [docs.tag],
      security: [{ bearer: [route.scope] }],
      parameters: parametersOf(route.path, properties, new Set(input.required ?? [])),
      ...(bodyContent ? { requestBody: { required: true, content: bodyContent } } : {}),
      responses: { ...successes, ...problems },
    };
  }
};

const CALLBACK_OPERATION: Json = {
  operationId: 'completeConnect',
  description:
    'The redirect URI registered at providers. The browser arrives from the provider with `code` and `state` (or `error`); the service exchanges the code, stores the verified credential and redirects to the session’s `returnUrl` (303), or answers a short page. No token: the one-time `state` is the proof.',
  parameters: [
    { name: 'code', in: 'query', required: false, schema: { type: 'string', maxLength: 2048 } },
    { name: 'state', in: 'query', required: false, schema: { type: 'string', maxLength: 256 } },
    { name: 'error', in: 'query', required: false, schema: { type: 'string', maxLength: 256 } },
    {
      name: 'iss',
      in: 'query',
      required: false,
      description:
        'The authorization server that answered (RFC 9207), checked against the provider’s issuer.',
      schema: { type: 'string', maxLength: 2048 },
    },
  ],
  responses: {
    '200': {
      description: 'Connected (no returnUrl).',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    '303': {
      description:
        'Connected or failed: back to `returnUrl` with `credentialId` and `sessionId`, or `error`.',
      headers: { Location: ref('headers', 'Location') },
    },
    '400': {
      description: 'Not connected (no returnUrl): the reason, in words.',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    '429': ref('responses', 'TooManyRequests'),
    '500': {
      description: 'A bug: the page says to start again later.',
      content: { 'text/html': { schema: { type: 'string' } } },
    },
    '503': {
      description:
        'AWS was busy and the service could not confirm the connection: start connecting again after `Retry-After` seconds.',
      headers: { 'Retry-After': ref('headers', 'RetryAfter') },
      content: { 'text/html': { schema: { type: 'string' } } },
    },
  },
};

const PUBLIC_OPERATIONS: Record<string, Json> = {
  '/openapi.json': {
    operationId: 'getOpenApiDocument',
    description: 'The OpenAPI 3.1 document of this API: generate clients from it. No token needed.',
    responses: {
      '200': {
        description: 'The document.',
        content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } },
      },
      '429': ref('responses', 'TooManyRequests'),
    },
  },
  '/problems': {
    operationId: 'listProblemTypes',
    description: 'A page listing every problem `type`, with links. No token needed.',
    responses: {
      '200': { description: 'The list.', content: { 'text/html': { schema: { type: 'string' } } } },
      '429': ref('responses', 'TooManyRequests'),
    },
  },
  '/oauth2/callback': CALLBACK_OPERATION,
  '/problems/{code}': {
    operationId: 'getProblemType',
    description:
      'The page behind a problem’s `type` URI: what the problem means and what to do. No token needed.',
    parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string', maxLength: 64 } }],
    responses: {
      '200': { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } },
      '404': ref('responses', 'NotFound'),
      '429': ref('responses', 'TooManyRequests'),
    },
  },
};

const pascal = (path: string): string =>
  path
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

/**
 * What every path answers besides its operations: OPTIONS (a browser's CORS preflight among them)
 * with 204 and `Allow`, and 405 with `Allow` for a method it does not have.
 */
const optionsOperations = (paths: Record<string, Record<string, Json>>) => {
  for (const path of ROUTE_PATHS) {
    const operations = paths[path];
    if (!operations) continue;
    operations.options = {
      operationId: `options${pascal(path)}`,
      summary: `The methods ${path} answers`,
      description: `204 with \`Allow: ${allowedMethods(path)}, OPTIONS\`. Any other method is answered with 405 \`method_not_allowed\` and the same \`Allow\`. No token needed.`,
      tags: ['Documents'],
      security: [],
      parameters: [...path.matchAll(/\{(\w+)\}/g)].map((match) => ({
        name: match[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      responses: {
        '204': { description: 'The methods, in `Allow`.', headers: { Allow: ref('headers', 'Allow') } },
        '405': ref('responses', 'MethodNotAllowed'),
        '429': ref('responses', 'TooManyRequests'),
      },
    };
  }
};

const publicOperations = (paths: Record<string, Record<string, Json>>) => {
  for (const route of PUBLIC_ROUTES) {
    paths[route.path] = {
      get: {
        summary: route.summary,
        tags: [route.functionName === 'complete-connect' ? 'Connect' : 'Documents'],
        security: [],
        ...PUBLIC_OPERATIONS[route.path],
      },
    };
  }
};

/**
 * The OpenAPI 3.1 document, generated from the route table, the operations' zod input schemas,
 * the response schemas, the problem catalogue and the component definitions, so the contract is
 * never written twice. `npm run openapi` writes it to docs/openapi.json; the API serves it.
 */
export const buildOpenApiDocument = () => {
  const components = loadBundledComponents(DEFAULT_COMPONENT_SETTINGS);
  const { variants, union } = componentCreateSchemas(components);
  const paths: Record<string, Record<string, Json>> = {};
  authenticatedOperations(paths, ref('schemas', 'CreateCredentialRequest'));
  publicOperations(paths);
  optionsOperations(paths);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Credentials service',
      version: '1.0.0',
      summary: 'Create, verify, reuse and guard the credentials integration flows use.',
      description:
        'Secret fields are write-only: they go to AWS Secrets Manager and are handed only to the workflows that run flow steps (by direct invocation, not this API). Every error is RFC 9457 problem+json whose `type` links to a page explaining it.',
      license: { name: 'Apache 2.0', identifier: 'Apache-2.0' },
    },
    servers: [
      {
        url: 'http://127.0.0.1:{port}',
        description: 'npm start (local); the served document names its own origin instead',
        variables: { port: { default: '3000' } },
      },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A tenant stack (its ApiUrl output)',
        variables: { apiId: { default: 'abc123' }, region: { default: 'eu-west-1' } },
      },
    ],
    tags: [
      { name: 'Components', description: 'The APIs credentials are for, with their field schemas.' },
      { name: 'Credentials', description: 'Create, read, change, verify and delete credentials.' },
      { name: 'Flows', description: 'Flows and the credentials their steps use.' },
      { name: 'Audit', description: 'Who did what to a credential, and when.' },
      {
        name: 'Connect',
        description:
          'OAuth apps per tenant and the authorization-code flow that stores a connected credential.',
      },
      {
        name: 'Workflows',
        description:
          'What a workflow step calls: the proxy, which calls a component’s API so the workflow never holds the secret.',
      },
      { name: 'Documents', description: 'This contract and the problem pages; public.' },
    ],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: `A JWT from the tenant's identity provider with a \`tenant_id\` claim and the route's scope in \`scope\`: ${SCOPES.map((scope) => `\`${scope}\``).join(', ')}.`,
        },
      },
      headers: HEADERS,
      responses: Object.fromEntries(
        Object.entries(PROBLEM_RESPONSES).map(([name, response]) => [name, problemResponseObject(response)]),
      ),
      schemas: {
        Problem: PROBLEM_SCHEMA,
        ...namedSchemas(),
        CreateCredentialRequest: union,
        ...variants,
      },
    },
    paths,
  };
};
