import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileLibrary } from '../../local/build-package.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const node = process.execPath;
const tsc = join(root, 'node_modules/typescript/bin/tsc');

/** A platform team's own CDK app: its own VPC, bus, overrides and grants, nothing from the checkout. */
const CONSUMER_APP = `import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CredentialsService } from 'credentials-service';

const app = new App();
const stack = new Stack(app, 'Platform', { env: { account: '222222222222', region: 'eu-central-1' } });
const vpc = new ec2.Vpc(stack, 'Network', { maxAzs: 2, natGateways: 1 });
const bus = new events.EventBus(stack, 'PlatformBus');
const service = new CredentialsService(stack, 'Credentials', {
  tenantId: 'initech',
  jwtIssuer: 'https://login.initech.example/',
  jwtAudience: ['credentials-api'],
  vpc,
  vpcEndpoints: true,
  existingEventBus: bus,
  tracing: true,
  functionOverrides: { 'list-credentials': { memorySize: 1024 }, 'verify-credential': { timeout: Duration.seconds(60) } },
});
const workflows = new iam.Role(stack, 'Workflows', { assumedBy: new iam.ServicePrincipal('states.amazonaws.com') });
service.grantResolve(workflows);
service.grantManage(new iam.Role(stack, 'Automation', { assumedBy: new iam.AccountRootPrincipal() }));
service.grantReadEvents(new iam.Role(stack, 'Subscriber', { assumedBy: new iam.AccountRootPrincipal() }));
const table: string = service.table.tableName;
void table;
app.synth();
`;

/**
 * The package as a platform team meets it: packed, installed into a CDK app outside the checkout
 * (offline: the tarball, and the already-installed copies of exactly the dependencies it
 * declares), type-checked with `tsc --init`'s defaults, and synthesized with the team's own props.
 */
describe('the packed construct in a consumer CDK app', () => {
  let work: string;
  let appDirectory: string;
  let packed: { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
  let manifest: {
    dependencies?: Record<string, string>;
    peerDependencies?: Record<string, string>;
    exports: Record<string, unknown>;
  };

  beforeAll(() => {
    // The assets are built by the suite's global setup; the library is compiled here.
    compileLibrary();
    work = mkdtempSync(join(tmpdir(), 'credentials-consumer-'));
    const output = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    });
    [packed] = JSON.parse(output);
    appDirectory = join(work, 'app');
    const installed = join(appDirectory, 'node_modules', 'credentials-service');
    mkdirSync(installed, { recursive: true });
    execFileSync('tar', ['-xzf', join(work, packed.filename), '-C', installed, '--strip-components=1']);
    manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    // Only what the package declares (and the consumer's own compiler) is beside it.
    const beside = [
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
      'typescript',
      '@types/node',
    ];
    for (const name of beside) {
      const target = join(appDirectory, 'node_modules', name);
      mkdirSync(join(target, '..'), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), target, 'dir');
    }
    writeFileSync(
      join(appDirectory, 'package.json'),
      JSON.stringify({ name: 'platform-app', private: true, type: 'module' }),
    );
    writeFileSync(join(appDirectory, 'app.ts'), CONSUMER_APP);
    execFileSync(node, [tsc, '--init'], { cwd: appDirectory, stdio: 'ignore' });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships compiled JavaScript, declarations and the prebuilt assets, not the sources, tests or tools', () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toContain('dist/lib/infra/index.js');
    expect(paths).toContain('dist/lib/infra/index.d.ts');
    expect(paths).toContain('dist/assets/functions/resolve-credential/index.js');
    expect(paths).toContain('dist/assets/console/index.html');
    expect(paths.filter((path) => /^(test|local|bench|functions|shared|infra|console)\//.test(path))).toEqual(
      [],
    );
    expect(paths.filter((path) => path.endsWith('.ts') && !path.endsWith('.d.ts'))).toEqual([]);
    expect(manifest.exports['.']).toEqual({
      types: './dist/lib/infra/index.d.ts',
      default: './dist/lib/infra/index.js',
    });
    expect(Object.keys(manifest.peerDependencies ?? {}).sort()).toEqual(['aws-cdk-lib', 'constructs']);
  });

  // tsc --init's defaults, but for exactOptionalPropertyTypes: aws-cdk-lib's own types fail it
  // (its Vpc is not an IVpc there, for lambda.Function too), so no CDK app can turn it on.
  it("type-checks with tsc --init's defaults", () => {
    const checked = spawnSync(node, [tsc, '-p', '.', '--exactOptionalPropertyTypes', 'false'], {
      cwd: appDirectory,
      encoding: 'utf8',
    });
    expect(checked.stdout).toBe('');
    expect(checked.status).toBe(0);
    expect(existsSync(join(appDirectory, 'app.js'))).toBe(true);
  }, 120_000);

  it('synthesizes with its own props from the shipped bundles: no bundling, no esbuild, no lock file', () => {
    const outdir = join(work, 'cdk.out');
    execFileSync(node, ['app.js'], {
      cwd: appDirectory,
      env: { ...process.env, CDK_OUTDIR: outdir, NODE_OPTIONS: '--no-warnings' },
      stdio: 'pipe',
    });
    expect(existsSync(join(appDirectory, 'node_modules', 'esbuild'))).toBe(false);
    const template = JSON.parse(readFileSync(join(outdir, 'Platform.template.json'), 'utf8'));
    const resources = Object.values(template.Resources) as {
      Type: string;
      Properties: {
        Handler?: string;
        MemorySize?: number;
        TracingConfig?: { Mode?: string };
        VpcConfig?: unknown;
      };
    }[];
    const functions = resources.filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Handler === 'index.handler',
    );
    expect(functions.length).toBeGreaterThanOrEqual(27);
    // Every staged Lambda asset is byte for byte a bundle the package ships.
    const bundles = join(appDirectory, 'node_modules/credentials-service/dist/assets/functions');
    const shipped = new Set(
      readdirSync(bundles, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => readFileSync(join(bundles, entry.name, 'index.js'), 'utf8')),
    );
    const staged = readdirSync(outdir).filter((entry) => existsSync(join(outdir, entry, 'index.js')));
    expect(staged.length).toBeGreaterThanOrEqual(27);
    for (const entry of staged)
      expect(shipped.has(readFileSync(join(outdir, entry, 'index.js'), 'utf8'))).toBe(true);
    // The consumer's props are applied.
    const memory = functions.map((fn) => fn.Properties.MemorySize);
    expect(memory).toContain(1024);
    expect(functions.every((fn) => fn.Properties.TracingConfig?.Mode === 'Active')).toBe(true);
    expect(functions.some((fn) => fn.Properties.VpcConfig)).toBe(true);
    const endpoints = resources.filter((resource) => resource.Type === 'AWS::EC2::VPCEndpoint');
    expect(endpoints).toHaveLength(4);
    expect(resources.filter((resource) => resource.Type === 'AWS::Events::EventBus')).toHaveLength(1);
  }, 180_000);
});
