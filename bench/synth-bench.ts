import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../infra/app.ts';
import { TENANTS_CONTEXT_KEY } from '../infra/tenant-config.ts';
import { buildAssets } from '../local/build-package.ts';

type TenantEntry = Record<string, unknown> & { id: string };

const shippedTenants = (): TenantEntry[] =>
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')).context[TENANTS_CONTEXT_KEY];

/** 20 tenants shaped like the shipped ones (half with a console, half in a VPC), each its own id. */
const twentyTenants = (): TenantEntry[] => {
  const shipped = shippedTenants();
  return Array.from({ length: 20 }, (_, index) => {
    const model = shipped[index % shipped.length] as TenantEntry;
    return { ...model, id: `${model.id}-${index + 1}` };
  });
};

/** One synthesis as `cdk synth` runs it (the app, cdk-nag, the cloud assembly on disk), timed. */
const timeSynth = (tenants: TenantEntry[]): { ms: number; stacks: number } => {
  const outdir = mkdtempSync(join(tmpdir(), 'credentials-synth-'));
  try {
    const started = performance.now();
    const assembly = buildApp(new App({ outdir, context: { [TENANTS_CONTEXT_KEY]: tenants } })).synth();
    return { ms: Math.round(performance.now() - started), stacks: assembly.stacks.length };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

/**
 * Synthesis of the shipped cdk.json and of 20 tenants from the prebuilt assets (built first, as
 * `npm run build` does; not timed: a consumer's synth never runs it).
 */
export const benchSynth = async () => {
  await buildAssets();
  const shipped = timeSynth(shippedTenants());
  const twenty = timeSynth(twentyTenants());
  return {
    shippedCdkJson: { tenants: shippedTenants().length, ...shipped },
    twentyTenants: { tenants: 20, ...twenty },
    /** Measured with per-function esbuild bundling at synth (NodejsFunction), commit c414812, same machine. */
    before: { shippedCdkJsonMs: 47_554, twentyTenantsMs: 51_251 },
    goal: 'twenty tenants in under 15 s',
    met: twenty.ms < 15_000,
  };
};

if (process.argv[1]?.endsWith('synth-bench.ts')) {
  process.stdout.write(`${JSON.stringify(await benchSynth(), null, 2)}\n`);
}
