import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling.ts';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../infra/function-catalog.ts';
import { percentile } from './local-stack.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/** A handler that only constructs the SDK clients the function uses: the floor of its cold start. */
/** Handlers that only construct the SDK clients a function uses: the floor of its cold start. */
const FLOORS = {
  'dynamodb+secretsmanager': `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
const clients = [new DynamoDBClient({}), new SecretsManagerClient({})];
export const handler = async () => clients.length;
`,
  eventbridge: `
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
const client = new EventBridgeClient({});
export const handler = async () => client.config.serviceId;
`,
} as const;

const bundle = async (entry: string, outfile: string) => {
  await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    external: [...ESBUILD_OPTIONS.external],
    logLevel: 'silent',
  });
  return statSync(outfile).size;
};

/**
 * Cost of `require`-ing a bundle in a fresh Node process (Node's own start-up excluded): wall time,
 * and CPU time (user + system), which a noisy shared machine disturbs far less.
 */
const importOnce = (file: string): { wallMs: number; cpuMs: number } => {
  const script = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]));`;
  const output = execFileSync(process.execPath, ['--no-warnings', '-e', script], {
    env: {
      ...process.env,
      TABLE_NAME: 'bench',
      EVENT_BUS_NAME: 'bench',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    },
  });
  const [wallMs, cpuMs] = JSON.parse(output.toString()) as [number, number];
  return { wallMs, cpuMs };
};

/** Medians of the function and its floor, measured alternately so machine drift hits both alike. */
const coldImportPair = (file: string, floorFile: string, runs: number) => {
  const own: { wallMs: number; cpuMs: number }[] = [];
  const floor: { wallMs: number; cpuMs: number }[] = [];
  for (let run = 0; run < runs; run++) {
    own.push(importOnce(file));
    floor.push(importOnce(floorFile));
  }
  const median = (samples: { wallMs: number; cpuMs: number }[], key: 'wallMs' | 'cpuMs') =>
    Math.round(
      percentile(
        samples.map((sample) => sample[key]),
        50,
      ) * 10,
    ) / 10;
  return {
    ownMs: median(own, 'wallMs'),
    floorMs: median(floor, 'wallMs'),
    ownCpuMs: median(own, 'cpuMs'),
    floorCpuMs: median(floor, 'cpuMs'),
  };
};

export const benchBundles = async (runs: number) => {
  const directory = mkdtempSync(join(tmpdir(), 'credentials-bundles-'));
  mkdirSync(join(directory, 'floors'), { recursive: true });
  const floors: Record<string, { bytes: number; file: string }> = {};
  for (const [name, source] of Object.entries(FLOORS)) {
    const sourceFile = join(root, `bench/.floor-${name}.ts`);
    writeFileSync(sourceFile, source);
    const outfile = join(directory, 'floors', `${name}.cjs`);
    const bytes = await bundle(sourceFile, outfile);
    execFileSync('rm', ['-f', sourceFile]);
    floors[name] = { bytes, file: outfile };
  }
  const functions: Record<string, unknown> = {};
  for (const [name, access] of Object.entries(FUNCTION_ACCESS) as [
    AnyFunctionName,
    (typeof FUNCTION_ACCESS)[AnyFunctionName],
  ][]) {
    const outfile = join(directory, `${name}.cjs`);
    const bytes = await bundle(join(root, `functions/${name}/handler.ts`), outfile);
    // Every service function builds both clients at init (the shared composition root), so its
    // floor has both; the event publisher only builds the EventBridge client.
    const floor = floors[name === 'publish-lifecycle-events' ? 'eventbridge' : 'dynamodb+secretsmanager'];
    if (!floor) throw new Error('floor bundle missing');
    const { ownMs, floorMs, ownCpuMs, floorCpuMs } = coldImportPair(outfile, floor.file, runs);
    functions[name] = {
      minifiedBytes: bytes,
      floorMinifiedBytes: floor.bytes,
      coldImportMs: ownMs,
      floorImportMs: floorMs,
      ratioToFloor: Math.round((ownMs / floorMs) * 100) / 100,
      coldImportCpuMs: ownCpuMs,
      floorImportCpuMs: floorCpuMs,
      cpuRatioToFloor: Math.round((ownCpuMs / floorCpuMs) * 100) / 100,
      touchesSecretsManager: access.secrets.length > 0,
    };
  }
  return {
    runsPerMedian: runs,
    floorBytes: Object.fromEntries(Object.entries(floors).map(([k, v]) => [k, v.bytes])),
    functions,
  };
};
