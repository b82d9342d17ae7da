import { execFileSync } from 'node:child_process';
import * as z from 'zod/mini';
import { eventsMarkdown } from '../api/contract/events-markdown.ts';
import { buildOpenApiDocument } from '../api/contract/openapi.ts';
import { problemsMarkdown } from '../api/contract/problems-markdown.ts';
import { componentDescriptorSchema } from '../shared/domain/component-descriptor.ts';

const root = new URL('../', import.meta.url);
const biome = new URL('node_modules/@biomejs/biome/bin/biome', root).pathname;

/** Formats a file's text as `npm run lint` expects it, so a regenerated file passes the lint as written. */
const formatted = (relativePath: string, text: string): string =>
  execFileSync(process.execPath, [biome, 'format', `--stdin-file-path=${relativePath}`], {
    cwd: root.pathname,
    input: text,
  }).toString();

/**
 * Every file generated from the code's contract, by its path in the repository: the OpenAPI
 * document, the problem catalogue, the event catalogue and the component descriptors' JSON Schema.
 */
export const contractFiles = (): Record<string, string> => ({
  'docs/openapi.json': `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`,
  'docs/problems.md': problemsMarkdown(),
  'docs/events.md': formatted('docs/events.md', eventsMarkdown()),
  'shared/components/component.schema.json': formatted(
    'shared/components/component.schema.json',
    `${JSON.stringify(z.toJSONSchema(componentDescriptorSchema(), { io: 'input', unrepresentable: 'any' }), null, 2)}\n`,
  ),
});
