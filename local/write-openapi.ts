import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { contractFiles } from './contract-files.ts';

const root = new URL('../', import.meta.url);
const files = contractFiles();
for (const [path, text] of Object.entries(files)) writeFileSync(new URL(path, root), text);
// The console is typed from the same document.
execFileSync(
  process.execPath,
  [
    new URL('node_modules/openapi-typescript/bin/cli.js', root).pathname,
    new URL('docs/openapi.json', root).pathname,
    '-o',
    new URL('console/src/api/schema.d.ts', root).pathname,
  ],
  { stdio: 'ignore' },
);
process.stdout.write(`wrote ${Object.keys(files).join(', ')} and console/src/api/schema.d.ts\n`);
