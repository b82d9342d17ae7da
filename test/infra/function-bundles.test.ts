import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { ESBUILD_OPTIONS } from '../../infra/bundling.ts';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../../infra/function-catalog.ts';
import { CredentialsService } from '../../infra/index.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const names = Object.keys(FUNCTION_ACCESS) as AnyFunctionName[];

/**
 * The source files that contribute code to each deployed bundle (esbuild's metafile, CDK settings);
 * a file imported only for what tree shaking drops contributes nothing and is not counted.
 */
const bundleOf = async (name: AnyFunctionName): Promise<{ inputs: string[]; code: string }> => {
  const result = await build({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    plugins: [...ESBUILD_OPTIONS.plugins],
    entryPoints: [`${root}functions/${name}/handler.ts`],
    outfile: `${name}.cjs`,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([file]) => file.endsWith('.cjs'));
  if (!output) throw new Error(`esbuild wrote no bundle for ${name}`);
  const code = result.outputFiles.find((file) => file.path.endsWith('.cjs'))?.text ?? '';
  const inputs = Object.entries(output[1].inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => file);
  return { inputs, code };
};

const loads = (inputs: readonly string[], fragment: string) => inputs.some((file) => file.includes(fragment));

// Every function loads only what its code path uses: a client, driver or adapter bundled into a
// function that never calls it is compiled at every cold start for nothing.
describe('function bundles', () => {
  const inputs = new Map<AnyFunctionName, string[]>();
  const code = new Map<AnyFunctionName, string>();

  beforeAll(async () => {
    for (const name of names) {
      const bundle = await bundleOf(name);
      inputs.set(name, bundle.inputs);
      code.set(name, bundle.code);
    }
  }, 120_000);

  it.each(names)('%s loads no Node module at init that only an unused code path needs', (name) => {
    // middy's streaming mode is the only reader of Node's web streams; the bundle's stand-in
    // (infra/bundle-shims) answers it without loading them.
    const bundle = code.get(name) ?? '';
    expect(bundle.length).toBeGreaterThan(0);
    expect(bundle.includes('require("node:stream/web")')).toBe(false);
  });

  it.each(names)('%s bundles the Secrets Manager client only if it calls Secrets Manager', (name) => {
    const files = inputs.get(name) ?? [];
    expect(loads(files, 'node_modules/@aws-sdk/client-secrets-manager/')).toBe(
      FUNCTION_ACCESS[name].secrets.length > 0,
    );
  });

  it('every function’s environment holds each setting its code reads, set as the construct was given', () => {
    // Each setting of the service's configuration: its property and its environment variable.
    const source = readFileSync(`${root}shared/config/service-config.ts`, 'utf8');
    const settings = [...source.matchAll(/(\w+): (?:integer|required)\(\s*env,\s*'([A-Z_]+)'/g)].map(
      ([, property, variable]) => ({ property: property as string, variable: variable as string }),
    );
    expect(settings.map((setting) => setting.variable)).toContain('REVERIFY_INTERVAL_SECONDS');
    const stack = new Stack(new App(), 'Environments', {
      env: { account: '222222222222', region: 'eu-central-1' },
    });
    new CredentialsService(stack, 'Credentials', {
      tenantId: 'initech',
      jwtIssuer: 'https://login.initech.example/',
      jwtAudience: ['credentials-api'],
      reverifyIntervalHours: 6,
    });
    const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')).map(
      (resource) =>
        (resource as { Properties: { Environment: { Variables: Record<string, unknown> } } }).Properties
          .Environment.Variables,
    );
    const missing: string[] = [];
    for (const environment of functions) {
      const name = environment.FUNCTION_KEY as AnyFunctionName;
      const bundle = code.get(name) ?? '';
      expect(bundle.length).toBeGreaterThan(0);
      // A function reads a setting when its bundle uses the property (`config.x`, `{ x }` of it).
      for (const { property, variable } of settings)
        if (
          new RegExp(`\\.${property}\\b|\\{[^}]*\\b${property}\\b[^}]*\\}\\s*=`).test(bundle) &&
          !(variable in environment)
        )
          missing.push(`${name}: ${variable}`);
    }
    expect(missing).toEqual([]);
    const interval = functions.map((environment) => environment.REVERIFY_INTERVAL_SECONDS);
    expect(new Set(interval)).toEqual(new Set(['21600']));
  }, 60_000);

  it.each(names)('%s bundles the DynamoDB client only if it reads the table', (name) => {
    const files = inputs.get(name) ?? [];
    expect(loads(files, 'node_modules/@aws-sdk/client-dynamodb/')).toBe(
      FUNCTION_ACCESS[name].table.length > 0,
    );
  });

  it.each(names)('%s bundles the verifiers and imports the PostgreSQL driver only if it verifies', (name) => {
    const files = inputs.get(name) ?? [];
    const verifies = FUNCTION_ACCESS[name].verifies === true;
    // Resolve and the proxy call out (token endpoints, component APIs) but never verify.
    const verifier = verifies && name !== 'resolve-credential' && name !== 'proxy-request';
    // The driver is its own bundle beside the handler (infra/bundling.ts), imported on first use.
    expect(loads(files, 'node_modules/pg/')).toBe(false);
    expect(code.get(name)?.includes('import("./postgres-driver.js")')).toBe(verifier);
    expect(loads(files, 'shared/adapters/verification/component-verifier.ts')).toBe(verifier);
  });

  it('a function builds only the shared schemas it parses', () => {
    // Messages of shared schemas (shared/lambda/schema.ts) that get-credential never parses with.
    const unused = ['must be from 1 to 100', 'at most 20 versions', 'must be one line without control'];
    for (const message of unused) expect(code.get('get-credential')?.includes(message)).toBe(false);
    // …and that the functions parsing with them do bundle.
    expect(code.get('list-credentials')?.includes('must be from 1 to 100')).toBe(true);
    expect(code.get('update-credential')?.includes('at most 20 versions')).toBe(true);
    expect(code.get('update-credential')?.includes('must be one line without control')).toBe(true);
  });

  // The functions whose IAM access reads credentials and writes nothing bundle only the reads.
  const readsOnly = names.filter(
    (name) =>
      FUNCTION_ACCESS[name].secrets.length === 0 &&
      FUNCTION_ACCESS[name].table.length > 0 &&
      FUNCTION_ACCESS[name].table.every((action) => ['GetItem', 'Query', 'BatchGetItem'].includes(action)),
  );
  it.each(readsOnly)('%s, which only reads, bundles no credential write', (name) => {
    const files = inputs.get(name) ?? [];
    expect(loads(files, 'dynamodb-credential-repository.ts')).toBe(false);
  });

  it('functions that only read one entity bundle only that entity’s repository', () => {
    const files = inputs.get('get-credential') ?? [];
    expect(loads(files, 'dynamodb-credential-reads.ts')).toBe(true);
    for (const other of [
      'dynamodb-credential-repository.ts',
      'dynamodb-flow-repository.ts',
      'dynamodb-oauth-app-repository.ts',
      'dynamodb-connect-session-repository.ts',
      'dynamodb-refresh-lease.ts',
    ]) {
      expect(loads(files, other)).toBe(false);
    }
  });

  it('a create bundles the ports it writes with, and no flow, lease, OAuth app or token code', () => {
    const files = inputs.get('create-credential') ?? [];
    expect(loads(files, 'dynamodb-credential-repository.ts')).toBe(true);
    expect(loads(files, 'secrets-manager-secret-store.ts')).toBe(true);
    for (const other of [
      'dynamodb-flow-repository.ts',
      'dynamodb-oauth-app-repository.ts',
      'dynamodb-connect-session-repository.ts',
      'dynamodb-refresh-lease.ts',
      'oauth2-refresh.ts',
    ]) {
      expect(loads(files, other), other).toBe(false);
    }
  });
});
