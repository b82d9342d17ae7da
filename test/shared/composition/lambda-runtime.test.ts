import { afterEach, describe, expect, it, vi } from 'vitest';

const LAMBDA_ENV = {
  TABLE_NAME: 'credentials-acme',
  AWS_REGION: 'eu-west-1',
  TENANT_ID: 'acme',
  FUNCTION_KEY: 'get-credential',
  SCOPE_PREFIX: 'credentials-api/',
};

/** A fresh module graph per test: the runtime and the clients are cached per process. */
const freshComposition = async (env: Record<string, string>) => {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const { lambdaRuntime } = await import('../../../shared/composition/lambda-runtime.ts');
  const { lambdaDynamoDb } = await import('../../../shared/composition/lambda-dynamodb.ts');
  const { lambdaSecretsManager } = await import('../../../shared/composition/lambda-secrets-manager.ts');
  return { lambdaRuntime, lambdaDynamoDb, lambdaSecretsManager };
};

describe('the Lambda runtime an entry composes from', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('carries the tenant, the scope prefix and outcome metrics named by the function', async () => {
    const { lambdaRuntime } = await freshComposition(LAMBDA_ENV);
    const lines: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((line) => {
      lines.push(String(line));
      return true;
    });

    const { handler, config } = lambdaRuntime();
    handler.metrics?.count('Refusals');
    write.mockRestore();

    expect(config.tableName).toBe('credentials-acme');
    expect(handler.tenantScope).toBe('acme');
    expect(handler.scopePrefix).toBe('credentials-api/');
    const metric = JSON.parse(lines[0] ?? '{}');
    expect(metric).toMatchObject({ Tenant: 'acme', Function: 'get-credential', Refusals: 1 });
  });

  it('emits no metrics outside Lambda (no function key): a local run has no CloudWatch', async () => {
    const { lambdaRuntime } = await freshComposition({ ...LAMBDA_ENV, FUNCTION_KEY: '' });
    expect(lambdaRuntime().handler.metrics).toBeUndefined();
  });

  it('builds the runtime and each client once per process, and a client only when asked', async () => {
    const { lambdaRuntime, lambdaDynamoDb, lambdaSecretsManager } = await freshComposition(LAMBDA_ENV);
    const runtime = lambdaRuntime();

    expect(lambdaRuntime()).toBe(runtime);
    expect(lambdaDynamoDb(runtime.config)).toBe(lambdaDynamoDb(runtime.config));
    expect(lambdaSecretsManager(runtime.config)).toBe(lambdaSecretsManager(runtime.config));
    expect(await lambdaDynamoDb(runtime.config).config.region()).toBe('eu-west-1');
  });
});
