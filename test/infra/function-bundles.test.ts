import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ESBUILD_OPTIONS } from '../../infra/bundling.ts';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../../infra/function-catalog.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const names = Object.keys(FUNCTION_ACCESS) as AnyFunctionName[];

/**
 * The source files that contribute code to each deployed bundle (esbuild's metafile, CDK settings);
 * a file imported only for what tree shaking drops contributes nothing and is not counted.
 */
const bundleInputs = async (name: AnyFunctionName): Promise<string[]> => {
  const result = await build({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    entryPoints: [`${root}functions/${name}/handler.ts`],
    outfile: `${name}.cjs`,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('.cjs'));
  if (!output) throw new Error(`esbuild wrote no bundle for ${name}`);
  return Object.entries(output[1].inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
};

const loads = (inputs: readonly string[], fragment: string) => inputs.some((file) => file.includes(fragment));

// Every function loads only what its code path uses: a client, driver or adapter bundled into a
// function that never calls it is compiled at every cold start for nothing.
describe('function bundles', () => {
  const inputs = new Map<AnyFunctionName, string[]>();

  beforeAll(async () => {
    for (const name of names) inputs.set(name, await bundleInputs(name));
  }, 120_000);

  it.each(names)('%s bundles the Secrets Manager client only if it calls Secrets Manager', (name) => {
    const files = inputs.get(name) ?? [];
    expect(loads(files, 'node_modules/@aws-sdk/client-secrets-manager/')).toBe(
      FUNCTION_ACCESS[name].secrets.length > 0,
    );
  });

  it.each(names)('%s bundles the DynamoDB client only if it reads the table', (name) => {
    const files = inputs.get(name) ?? [];
    expect(loads(files, 'node_modules/@aws-sdk/client-dynamodb/')).toBe(
      FUNCTION_ACCESS[name].table.length > 0,
    );
  });

  it.each(names)('%s bundles the verifiers and the PostgreSQL driver only if it verifies', (name) => {
    const files = inputs.get(name) ?? [];
    const verifies = FUNCTION_ACCESS[name].verifies === true;
    // Resolve and the proxy call out (token endpoints, component APIs) but never verify.
    const verifier = verifies && name !== 'resolve-credential' && name !== 'proxy-request';
    expect(loads(files, 'node_modules/pg/')).toBe(verifier);
    expect(loads(files, 'shared/adapters/verification/component-verifier.ts')).toBe(verifier);
  });

  it('functions that only read one entity bundle only that entity’s repository', () => {
    const files = inputs.get('get-credential') ?? [];
    expect(loads(files, 'dynamodb-credential-repository.ts')).toBe(true);
    for (const other of [
      'dynamodb-flow-repository.ts',
      'dynamodb-oauth-app-repository.ts',
      'dynamodb-connect-session-repository.ts',
      'dynamodb-refresh-lease.ts',
    ]) {
      expect(loads(files, other)).toBe(false);
    }
  });
});
