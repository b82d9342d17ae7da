import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/contract/openapi.ts';
import { ROUTES } from '../../functions/routes.ts';

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument();

  it('describes every route, from the same schemas the handlers validate with', () => {
    for (const route of ROUTES) {
      const operation = (
        document.paths[route.path] as Record<string, { parameters: { in: string; name: string }[] }>
      )[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      const pathParameters = operation?.parameters
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name);
      expect(pathParameters).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
    }
    const create = (
      document.paths['/credentials'] as Record<
        string,
        { requestBody: { content: Record<string, { schema: Record<string, unknown> }> } }
      >
    ).post;
    expect(create?.requestBody.content['application/json']?.schema).toMatchObject({
      additionalProperties: false,
      required: ['componentId', 'fields'],
    });
    const patch = (
      document.paths['/credentials/{credentialId}'] as Record<
        string,
        { parameters: { name: string; required: boolean }[] }
      >
    ).patch;
    expect(patch?.parameters).toContainEqual(expect.objectContaining({ name: 'If-Match', required: true }));
  });

  it('is committed as generated (npm run openapi)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
