/**
 * esbuild settings shared by the CDK functions and the bundle benchmark, so the benchmark measures
 * exactly what is deployed.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

export const LAMBDA_NODE_TARGET = 'node22';

export const BUNDLE_EXTERNALS = [
  // Optional native and edge-runtime paths of the `pg` driver, never taken on Lambda.
  'pg-native',
  'cloudflare:sockets',
];

/**
 * Packages' ES module builds first: the AWS SDK then bundles as scope-hoisted, tree-shaken ESM
 * instead of CommonJS wrappers that each importing module copies (`__toESM`). Measured with the
 * bundle benchmark: a reading function's cold import fell from about 170 ms to about 100 ms.
 */
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];

/**
 * Node modules the bundles take from a stand-in that loads nothing at init. Each keeps its
 * module's behaviour for what the bundled code uses (test/infra/bundle-shims.test.ts).
 */
export const BUNDLE_ALIASES = {
  'node:stream/web': fileURLToPath(new URL('./bundle-shims/stream-web.ts', import.meta.url)),
};

/** The PostgreSQL driver's own bundle, beside the handler of each function that imports it. */
export const POSTGRES_DRIVER_FILE = 'postgres-driver.js';

/** The entry the driver's bundle is built from. */
export const POSTGRES_DRIVER_ENTRY = fileURLToPath(
  new URL('./bundle-shims/postgres-driver.cjs', import.meta.url),
);

/**
 * `pg` stays out of the handler's bundle: only verifying a PostgreSQL credential imports it (on
 * first use), and its 80 KB would otherwise be parsed at every cold start of every function that
 * verifies. The handler imports the driver's bundle from its own folder instead; the build writes
 * that bundle beside each handler whose bundle imports it (local/build-package.ts).
 */
export const postgresDriverBeside: Plugin = {
  name: 'postgres-driver-beside',
  setup(build) {
    build.onResolve({ filter: /^pg$/ }, (args) =>
      args.importer.endsWith(POSTGRES_DRIVER_ENTRY)
        ? undefined
        : { path: `./${POSTGRES_DRIVER_FILE}`, external: true },
    );
  },
};

export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: LAMBDA_NODE_TARGET,
  format: 'cjs',
  sourcemap: true,
  legalComments: 'none',
  external: BUNDLE_EXTERNALS,
  mainFields: BUNDLE_MAIN_FIELDS,
  alias: BUNDLE_ALIASES,
  plugins: [postgresDriverBeside],
} as const;
