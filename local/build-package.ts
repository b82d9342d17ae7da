import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { writeConsole } from '../console/build.ts';
import { ESBUILD_OPTIONS, POSTGRES_DRIVER_ENTRY, POSTGRES_DRIVER_FILE } from '../infra/bundling.ts';
import { FUNCTION_ACCESS } from '../infra/function-catalog.ts';
import { ASSETS_DIRECTORY } from '../infra/prebuilt-assets.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Every function's bundle, with the options the stack has always deployed, in one esbuild run:
 * `dist/assets/functions/<name>/index.js` (+ map), the folder each Lambda function's code is.
 */
export const buildFunctionBundles = async (): Promise<void> => {
  const outdir = join(ASSETS_DIRECTORY, 'functions');
  rmSync(outdir, { recursive: true, force: true });
  const { metafile } = await build({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    plugins: [...ESBUILD_OPTIONS.plugins],
    entryPoints: Object.fromEntries(
      Object.keys(FUNCTION_ACCESS).map((name) => [`${name}/index`, `${root}functions/${name}/handler.ts`]),
    ),
    outdir,
    absWorkingDir: root,
    metafile: true,
    logLevel: 'error',
  });
  // The PostgreSQL driver, beside each handler whose bundle requires it (and only those).
  const needDriver = Object.entries(metafile.outputs)
    .filter(([, output]) => output.imports.some((imported) => imported.path === `./${POSTGRES_DRIVER_FILE}`))
    .map(([file]) => relative(outdir, dirname(join(root, file))));
  await build({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    plugins: [...ESBUILD_OPTIONS.plugins],
    entryPoints: Object.fromEntries(
      needDriver.map((name) => [
        `${name}/${POSTGRES_DRIVER_FILE.replace(/\.js$/, '')}`,
        POSTGRES_DRIVER_ENTRY,
      ]),
    ),
    outdir,
    logLevel: 'error',
  });
  // The bundles are CommonJS, as Lambda loads them (no package.json in the asset); this one, above
  // the assets and never deployed, makes Node load them the same way from inside this package.
  writeFileSync(join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
};

/** The prebuilt assets a synthesis needs: the functions' bundles and the console's files. */
export const buildAssets = async (): Promise<void> => {
  await buildFunctionBundles();
  const consoleDirectory = join(ASSETS_DIRECTORY, 'console');
  rmSync(consoleDirectory, { recursive: true, force: true });
  mkdirSync(consoleDirectory, { recursive: true });
  await writeConsole(consoleDirectory);
};

/** The construct's JavaScript and declarations (`dist/lib`), from its public entry point. */
export const compileLibrary = (): void => {
  rmSync(join(root, 'dist', 'lib'), { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
};

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildAssets();
  if (!process.argv.includes('--assets')) compileLibrary();
}
