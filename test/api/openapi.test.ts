import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../api/contract/openapi.ts';
import { problemsMarkdown } from '../../api/contract/problems-markdown.ts';
import { PUBLIC_ROUTES, ROUTES } from '../../api/routes.ts';
import { contractFiles } from '../../local/contract-files.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../shared/components/index.ts';

type Operation = {
  operationId: string;
  summary: string;
  security: Record<string, string[]>[];
  parameters: { in: string; name: string; required: boolean; schema: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
};

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument();
  const operation = (method: string, path: string) =>
    (document.paths[path] as Record<string, Operation> | undefined)?.[method.toLowerCase()];

  it('describes every route with its scope, success and problem answers, from the handlers’ own schemas', () => {
    for (const route of ROUTES) {
      const described = operation(route.method, route.path);
      expect(described, `${route.method} ${route.path}`).toBeDefined();
      expect(described?.summary).toBeTruthy();
      expect(described?.security).toEqual([{ bearer: [route.scope] }]);
      const statuses = Object.keys(described?.responses ?? {});
      expect(statuses.some((status) => status.startsWith('2'))).toBe(true);
      expect(statuses).toEqual(expect.arrayContaining(['400', '401', '403', '429', '500', '503']));
      expect(statuses).not.toContain('default');
      const pathParameters = described?.parameters
        .filter((parameter) => parameter.in === 'path')
        .map((parameter) => parameter.name);
      expect(pathParameters).toEqual([...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]));
    }
    for (const route of PUBLIC_ROUTES) expect(operation('GET', route.path)?.security).toEqual([]);
    // The answers that used to fall through to `default`.
    expect(Object.keys(operation('PUT', '/flows/{flowId}')?.responses ?? {})).toContain('201');
    expect(Object.keys(operation('DELETE', '/credentials/{credentialId}')?.responses ?? {})).toContain('200');
    expect(Object.keys(operation('POST', '/credentials')?.responses ?? {})).toContain('200');
    expect(operation('PATCH', '/credentials/{credentialId}')?.parameters).toContainEqual(
      expect.objectContaining({ name: 'If-Match', required: true }),
    );
    expect(operation('GET', '/credentials')?.parameters).toContainEqual(
      expect.objectContaining({
        name: 'limit',
        schema: expect.objectContaining({ minimum: 1, maximum: 100 }),
      }),
    );
  });

  it('gives each component its own create schema, chosen by componentId', () => {
    const schemas = document.components.schemas as Record<string, Record<string, unknown>>;
    const union = schemas.CreateCredentialRequest as { oneOf: unknown[]; discriminator: { mapping: object } };
    const components = loadBundledComponents(DEFAULT_COMPONENT_SETTINGS);
    expect(Object.keys(union.discriminator.mapping).sort()).toEqual(components.map((c) => c.id).sort());
    expect(union.oneOf).toHaveLength(components.length);
    expect(schemas.CreateCredentialPetstore).toMatchObject({
      additionalProperties: false,
      properties: {
        componentId: { const: 'petstore' },
        fields: {
          additionalProperties: false,
          required: ['apiKey'],
          properties: { apiKey: { type: 'string', writeOnly: true } },
        },
      },
    });
  });

  it('is committed as generated (npm run openapi)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('commits docs/problems.md as generated from the same catalogue as the /problems pages', () => {
    const committed = readFileSync(new URL('../../docs/problems.md', import.meta.url), 'utf8');
    expect(committed).toBe(problemsMarkdown());
  });

  it('describes what every path answers besides its operations: OPTIONS (204, Allow) and 405 with Allow', () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    for (const [path, operations] of Object.entries(paths)) {
      expect(operations.options?.responses['204'], path).toEqual({
        description: 'The methods, in `Allow`.',
        headers: { Allow: { $ref: '#/components/headers/Allow' } },
      });
      expect(operations.options?.responses['405'], path).toEqual({
        $ref: '#/components/responses/MethodNotAllowed',
      });
    }
    const responses = document.components.responses as Record<string, { headers?: Record<string, unknown> }>;
    expect(Object.keys(responses.MethodNotAllowed?.headers ?? {})).toEqual(['Allow']);
  });

  it('npm run openapi writes exactly the committed files, formatted as the lint wants them', () => {
    for (const [path, text] of Object.entries(contractFiles())) {
      expect(readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8'), path).toBe(text);
    }
  }, 30_000);

  it('passes redocly lint with the recommended rules: 0 errors, 0 warnings', () => {
    const cli = new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url).pathname;
    let output: string;
    try {
      output = execFileSync(process.execPath, [cli, 'lint', 'docs/openapi.json', '--format=json'], {
        cwd: new URL('../../', import.meta.url).pathname,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout ?? '');
    }
    const report = JSON.parse(output) as { totals: Record<string, number>; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);
});
