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

export const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: LAMBDA_NODE_TARGET,
  format: 'cjs',
  sourcemap: true,
  legalComments: 'none',
  external: BUNDLE_EXTERNALS,
} as const;
