import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../functions/get-api-document/handler.ts';

const event = (routeKey: string, rawPath: string, method = 'GET'): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: {},
    pathParameters: rawPath.startsWith('/problems/') ? { code: rawPath.split('/')[2] as string } : undefined,
    isBase64Encoded: false,
    requestContext: { domainName: 'abc.execute-api.eu-west-1.amazonaws.com', http: { method } },
  }) as unknown as APIGatewayProxyEventV2;

describe('the public document function, as API Gateway invokes it', () => {
  it('answers a method a path does not have with 405 and the Allow header (its ANY route)', async () => {
    const answer = await handler(event('ANY /credentials/{credentialId}', '/credentials/x.petstore', 'PUT'));
    expect(answer.statusCode).toBe(405);
    expect(answer.headers?.allow).toBe('GET, PATCH, DELETE');
    const body = JSON.parse(answer.body as string);
    expect(body).toMatchObject({
      code: 'method_not_allowed',
      type: 'https://abc.execute-api.eu-west-1.amazonaws.com/problems/method_not_allowed',
      errors: [],
    });
  });

  it('answers OPTIONS (a CORS preflight) with 204 and Allow, for API Gateway to add its CORS headers', async () => {
    const answer = await handler(
      event('ANY /credentials/{credentialId}', '/credentials/x.petstore', 'OPTIONS'),
    );
    expect(answer.statusCode).toBe(204);
    expect(answer.headers?.allow).toBe('GET, PATCH, DELETE, OPTIONS');
    expect(answer.body).toBeUndefined();
  });

  it('serves the document and the problem pages, with absolute problem links', async () => {
    const document = await handler(event('GET /openapi.json', '/openapi.json'));
    expect(JSON.parse(document.body as string).openapi).toBe('3.1.0');
    // Clients generated from the served document, and the reference's "Try it out", talk to this API.
    expect(JSON.parse(document.body as string).servers).toEqual([
      { url: 'https://abc.execute-api.eu-west-1.amazonaws.com', description: 'This API' },
    ]);
    const page = await handler(event('GET /problems/{code}', '/problems/version_mismatch'));
    expect(page.headers?.['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('currentVersion');
    const missing = await handler(event('GET /problems/{code}', '/problems/<script>'));
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toContain('<script>');
  });
});
