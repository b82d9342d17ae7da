import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

const DOCUMENT_ID = 'https://contract.test/openapi.json';
const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, Json>>;
  components: { responses: Record<string, Json>; headers: Record<string, Json> };
};

// Not strict: the document also holds OpenAPI members (examples, discriminator) that are not
// JSON Schema keywords; ajv ignores them and validates the rest exactly.
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (instance: Ajv2020) => void)(ajv);
ajv.addSchema(document, DOCUMENT_ID);

/** Headers the API sets itself: a response carrying one the document does not list is a finding. */
const API_HEADERS = ['etag', 'location', 'idempotent-replayed', 'www-authenticate', 'retry-after'];

const pointer = (...segments: string[]): string =>
  segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

const templates = Object.keys(document.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

const validatorAt = (jsonPointer: string) => {
  const validate = ajv.getSchema(`${DOCUMENT_ID}#${jsonPointer}`);
  if (!validate) throw new Error(`contract: no schema at ${jsonPointer}`);
  return validate;
};

const describeErrors = (errors: unknown): string => JSON.stringify(errors, null, 1).slice(0, 2000);

let validated = 0;
/** How many responses were validated since the last call (for the closing report). */
export const takeContractCount = (): number => {
  const count = validated;
  validated = 0;
  return count;
};

/**
 * Checks one response the tests received against docs/openapi.json: the status is documented for
 * the operation, the body matches that status's schema for its content type, and every header
 * the API sets is documented with a valid value. Paths and methods outside the document may only
 * answer the gateway's 404 or 405 problems (or 400/431 for requests that cannot be routed).
 */
export const assertMatchesContract = (
  method: string,
  url: string,
  response: { status: number; headers: Headers; text: string },
): void => {
  const path = new URL(url, 'http://x').pathname;
  const where = `${method} ${path} → ${response.status}`;
  const template = templates.find((candidate) => candidate.pattern.test(path))?.template;
  const operation = template ? document.paths[template]?.[method.toLowerCase()] : undefined;
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';

  if (!template || !operation) {
    if (![400, 404, 405, 431].includes(response.status) || contentType !== 'application/problem+json') {
      throw new Error(`contract: ${where} is not described by the document`);
    }
    const validate = validatorAt('/components/schemas/Problem');
    if (!validate(JSON.parse(response.text))) {
      throw new Error(`contract: ${where} problem body: ${describeErrors(validate.errors)}`);
    }
    validated++;
    return;
  }

  const responses = operation.responses as Record<string, Json>;
  let responsePointer = pointer(
    '',
    'paths',
    template,
    method.toLowerCase(),
    'responses',
    String(response.status),
  );
  let described = responses[String(response.status)];
  if (!described) throw new Error(`contract: ${where}: status ${response.status} is not documented`);
  if (typeof described.$ref === 'string') {
    responsePointer = described.$ref.slice(1);
    described = document.components.responses[described.$ref.split('/').pop() as string] as Json;
  }

  const content = described.content as Record<string, Json> | undefined;
  if (!content) {
    if (response.text !== '') throw new Error(`contract: ${where}: documented without a body, got one`);
  } else {
    if (!content[contentType]) {
      throw new Error(
        `contract: ${where}: content type '${contentType}' not documented (${Object.keys(content).join(', ')})`,
      );
    }
    if (contentType.endsWith('json')) {
      const validate = validatorAt(`${responsePointer}/${pointer('content', contentType, 'schema')}`);
      if (!validate(JSON.parse(response.text))) {
        throw new Error(`contract: ${where} body: ${describeErrors(validate.errors)}`);
      }
    }
  }

  const headers = (described.headers ?? {}) as Record<string, Json>;
  const documented = new Map(Object.entries(headers).map(([name, header]) => [name.toLowerCase(), header]));
  for (const name of API_HEADERS) {
    const value = response.headers.get(name);
    if (value === null) continue;
    const header = documented.get(name);
    if (!header) throw new Error(`contract: ${where}: header ${name} is not documented`);
    const headerRef = (header.$ref as string | undefined)?.slice(1);
    const validate = validatorAt(`${headerRef ?? ''}/schema`);
    if (!validate(value))
      throw new Error(`contract: ${where}: header ${name}: ${describeErrors(validate.errors)}`);
  }
  validated++;
};
