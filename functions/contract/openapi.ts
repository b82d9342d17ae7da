import * as z from 'zod/mini';
import { OPERATIONS } from '../operations.ts';
import { ROUTES } from '../routes.ts';

type JsonSchema = { properties?: Record<string, JsonSchema>; required?: string[]; [key: string]: unknown };

/** Input members that come from headers rather than the path, query or body. */
const HEADER_MEMBERS: Record<string, { name: string; description: string }> = {
  expectedVersion: { name: 'If-Match', description: 'The ETag of your last read, e.g. "3".' },
  idempotencyKey: {
    name: 'Idempotency-Key',
    description: 'Retries with the same key create one credential.',
  },
};

const SUCCESS: Record<string, [string, string]> = {
  'create-credential': ['201', 'Created (200 with Idempotent-Replayed: true on a replay)'],
  'put-flow': ['200', 'Updated (201 when created)'],
  'delete-credential': ['204', 'Deleted (200 with the plan when dryRun=true)'],
  'delete-flow': ['204', 'Deleted'],
};

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

/**
 * The OpenAPI 3.1 document, generated from the same route table and zod schemas the handlers use,
 * so the contract is never written twice. `npm run openapi` writes it to docs/openapi.json.
 */
export const buildOpenApiDocument = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const operation = OPERATIONS[route.functionName];
    const input = z.toJSONSchema(operation.input, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const { $schema: _schema, ...inputSchema } = input;
    const properties = inputSchema.properties ?? {};
    const required = new Set(inputSchema.required ?? []);
    const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
    const parameters = Object.entries(properties).flatMap(([name, schema]) => {
      if (name === 'body') return [];
      if (pathNames.includes(name)) return [{ name, in: 'path', required: true, schema }];
      const header = HEADER_MEMBERS[name];
      if (header) {
        return [
          {
            name: header.name,
            in: 'header',
            required: required.has(name),
            description: header.description,
            schema: { type: 'string' },
          },
        ];
      }
      return [{ name, in: 'query', required: required.has(name), schema }];
    });
    const [status, description] = SUCCESS[route.functionName] ?? ['200', 'OK'];
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: operation.name,
      parameters,
      ...(properties.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: properties.body } } } }
        : {}),
      responses: {
        [status]: { description },
        default: {
          description: 'A problem (RFC 9457)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Credentials service', version: '1.0.0' },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (tenant_id claim)' } },
      schemas: { Problem: PROBLEM },
    },
    paths,
  };
};
