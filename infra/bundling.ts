/**
 * esbuild settings shared by the CDK functions and the bundle benchmark, so the benchmark measures
 * exactly what is deployed.
 */
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
} as const;
