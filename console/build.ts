import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BuildOptions, build, buildSync } from 'esbuild';

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

let built: string | undefined;

/**
 * The console's static files in a folder, for the CDK to deploy (synchronous: stacks are built in
 * a constructor). `config.json` is added at deploy time, with the stack's own URLs.
 */
export const writeConsoleSync = (): string => {
  if (built) return built;
  const directory = mkdtempSync(join(tmpdir(), 'credentials-console-'));
  buildSync({ ...OPTIONS, outdir: directory });
  copyFileSync(new URL('index.html', root), join(directory, 'index.html'));
  built = directory;
  return directory;
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

/**
 * What the console's pages may load: only its own files. They may call the API and, to sign in,
 * the identity provider (its discovery document and token endpoint, which can be two origins).
 */
export const consoleContentSecurityPolicy = (connectTo: readonly string[] = []): string =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${["'self'", ...connectTo].join(' ')}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
