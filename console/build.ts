import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BuildOptions, build } from 'esbuild';

export interface ConsoleFile {
  readonly contentType: string;
  readonly body: Uint8Array;
}

const root = new URL('./', import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};

/**
 * Builds the console with esbuild: one script, one stylesheet and the page, nothing from a CDN.
 * `config` becomes config.json (where the API is, the identity provider in AWS).
 */
const OPTIONS: BuildOptions = {
  entryPoints: { app: new URL('src/main.tsx', root).pathname },
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  logLevel: 'silent',
  legalComments: 'none',
};

/** Writes the console's static files into `directory` (the package build ships them). */
export const writeConsole = async (directory: string): Promise<void> => {
  await build({ ...OPTIONS, outdir: directory });
  copyFileSync(new URL('index.html', root), join(directory, 'index.html'));
};

export const buildConsole = async (config: Record<string, unknown>): Promise<Record<string, ConsoleFile>> => {
  const result = await build({ ...OPTIONS, outdir: new URL('dist/', root).pathname, write: false });
  const files: Record<string, ConsoleFile> = {
    'index.html': {
      contentType: CONTENT_TYPES['.html'] as string,
      body: readFileSync(new URL('index.html', root)),
    },
    'config.json': {
      contentType: CONTENT_TYPES['.json'] as string,
      body: new TextEncoder().encode(JSON.stringify(config)),
    },
  };
  for (const output of result.outputFiles) {
    const name = output.path.split('/').pop() as string;
    files[name] = {
      contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
      body: output.contents,
    };
  }
  return files;
};

export { consoleContentSecurityPolicy } from './content-security-policy.ts';
