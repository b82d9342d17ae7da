import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { buildOpenApiDocument } from '../functions/contract/openapi.ts';
import { problemsMarkdown } from '../functions/contract/problems-markdown.ts';
import { componentDescriptorSchema } from '../shared/domain/component-descriptor.ts';

const documentFile = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(documentFile, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
const problemsFile = new URL('../docs/problems.md', import.meta.url);
writeFileSync(problemsFile, problemsMarkdown());
const schemaFile = new URL('../shared/components/component.schema.json', import.meta.url);
writeFileSync(
  schemaFile,
  `${JSON.stringify(z.toJSONSchema(componentDescriptorSchema(), { io: 'input', unrepresentable: 'any' }), null, 2)}\n`,
);
// The console is typed from the same document.
execFileSync(
  process.execPath,
  [
    new URL('../node_modules/openapi-typescript/bin/cli.js', import.meta.url).pathname,
    documentFile.pathname,
    '-o',
    new URL('../console/src/api/schema.d.ts', import.meta.url).pathname,
  ],
  { stdio: 'ignore' },
);
process.stdout.write(`wrote ${documentFile.pathname} and ${problemsFile.pathname}\n`);
