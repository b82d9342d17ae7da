import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../functions/contract/openapi.ts';
import { problemsMarkdown } from '../functions/contract/problems-markdown.ts';

const documentFile = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(documentFile, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
const problemsFile = new URL('../docs/problems.md', import.meta.url);
writeFileSync(problemsFile, problemsMarkdown());
process.stdout.write(`wrote ${documentFile.pathname} and ${problemsFile.pathname}\n`);
