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

/** Time to `require` a bundle in a fresh Node process (Node's own start-up excluded). */
const importOnce = (file: string): number => {
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write(String(performance.now()-t));`;
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
  return Number(output.toString());
};

/** Medians of the function and its floor, measured alternately so machine drift hits both alike. */
const coldImportPair = (file: string, floorFile: string, runs: number) => {
  const own: number[] = [];
  const floor: number[] = [];
  for (let run = 0; run < runs; run++) {
    own.push(importOnce(file));
    floor.push(importOnce(floorFile));
  }
  const round = (value: number) => Math.round(value * 10) / 10;
  return { ownMs: round(percentile(own, 50)), floorMs: round(percentile(floor, 50)) };
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
    const { ownMs, floorMs } = coldImportPair(outfile, floor.file, runs);
    functions[name] = {
      minifiedBytes: bytes,
      floorMinifiedBytes: floor.bytes,
      coldImportMs: ownMs,
      floorImportMs: floorMs,
      ratioToFloor: Math.round((ownMs / floorMs) * 100) / 100,
      touchesSecretsManager: access.secrets.length > 0,
    };
  }
  return {
    runsPerMedian: runs,
    floorBytes: Object.fromEntries(Object.entries(floors).map(([k, v]) => [k, v.bytes])),
    functions,
  };
};
