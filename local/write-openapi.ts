import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../functions/contract/openapi.ts';

const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
process.stdout.write(`wrote ${target.pathname}\n`);
