import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The Swagger UI files served from the installed package: nothing comes from a CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const packageDirectory = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Credentials API reference</title>
<link rel="stylesheet" href="/reference/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/reference/swagger-ui-bundle.js"></script>
<script src="/reference/init.js"></script>
</body>
</html>
`;

// validatorUrl: null keeps Swagger UI from sending the document to its online validator.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#reference', validatorUrl: null, deepLinking: true });\n`;

export interface StaticAnswer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
}

/**
 * The rendered API reference `npm start` serves at /reference: Swagger UI over the same
 * /openapi.json the API serves. A local tool only; deployed stacks serve the document itself.
 */
export const apiReference = async (path: string): Promise<StaticAnswer | undefined> => {
  if (path === '/reference' || path === '/reference/') {
    return { status: 200, contentType: 'text/html; charset=utf-8', body: PAGE };
  }
  if (path === '/reference/init.js') {
    return { status: 200, contentType: 'text/javascript; charset=utf-8', body: INIT };
  }
  const name = path.replace(/^\/reference\//, '');
  const contentType = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!contentType) return undefined;
  return { status: 200, contentType, body: await readFile(join(packageDirectory, name)) };
};

/** Everything the page loads, so a test can prove it is all served locally. */
export const REFERENCE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'";
