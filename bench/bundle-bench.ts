import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling.ts';
import { type AnyFunctionName, FUNCTION_ACCESS, type FunctionAccess } from '../infra/function-catalog.ts';
import { coldImportEnv, requireInstructions, valgrindAvailable } from './instruction-count.ts';
import { percentile } from './local-stack.ts';
import { schemasBuiltAtInit } from './schemas-at-init.ts';

const root = fileURLToPath(new URL('../', import.meta.url));

/**
 * Handlers that only construct SDK clients: the floor of a function's cold start. `dynamodb+secretsmanager`
 * is issue #15's reference floor for every service function; each function is also measured
 * against the floor of exactly the clients it constructs.
 */
const FLOORS = {
  'dynamodb+secretsmanager': `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
const clients = [new DynamoDBClient({}), new SecretsManagerClient({})];
export const handler = async () => clients.length;
`,
  dynamodb: `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
const client = new DynamoDBClient({});
export const handler = async () => client.config.serviceId;
`,
  secretsmanager: `
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
const client = new SecretsManagerClient({});
export const handler = async () => client.config.serviceId;
`,
  eventbridge: `
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
const client = new EventBridgeClient({});
export const handler = async () => client.config.serviceId;
`,
} as const;
type FloorName = keyof typeof FLOORS;

/**
 * The anchor: a handler shaped like Powertools for AWS Lambda's reference app `get-by-id` (an item
 * by id through the document client, with the logger, metrics and tracer set up as that app sets
 * them up, as middy middleware), from the published packages, bundled with the same options.
 */
const ANCHOR = `
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
const logger = new Logger({ serviceName: 'items' });
const metrics = new Metrics({ namespace: 'anchor', serviceName: 'items' });
const tracer = new Tracer({ serviceName: 'items' });
const client = tracer.captureAWSv3Client(new DynamoDBClient({}));
const documents = DynamoDBDocumentClient.from(client);
const getById = async (event: { pathParameters?: { id?: string } }) => {
  const id = event.pathParameters?.id;
  if (!id) throw new Error('getById is meant to be called with an id');
  const { Item } = await documents.send(new GetCommand({ TableName: process.env.TABLE, Key: { id } }));
  metrics.addMetric('itemFetched', MetricUnit.Count, 1);
  logger.info('item fetched', { id });
  return { statusCode: 200, body: JSON.stringify(Item) };
};
export const handler = middy(getById)
  .use(captureLambdaHandler(tracer))
  .use(logMetrics(metrics))
  .use(injectLambdaContext(logger, { clearState: true }));
`;

/**
 * The least a function of this architecture can be: the DynamoDB client, a middy handler and zod
 * (the packages the architecture fixes) parsing a one-field input. What it adds to the DynamoDB
 * floor no service code can remove; what a reader adds above it is the service's own.
 */
const STACK_FLOOR = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import * as z from 'zod/mini';
const client = new DynamoDBClient({});
const input = z.strictObject({ credentialId: z.string().check(z.minLength(1), z.maxLength(200)) });
export const handler = middy(async (event: unknown) => [client.config.serviceId, z.safeParse(input, event)]);
`;

/** The clients a function constructs, from its least-privilege access (the bundle test holds it). */
const ownFloorOf = (name: AnyFunctionName, access: FunctionAccess): FloorName | undefined => {
  if (name === 'publish-lifecycle-events') return 'eventbridge';
  if (access.table.length > 0 && access.secrets.length > 0) return 'dynamodb+secretsmanager';
  if (access.table.length > 0) return 'dynamodb';
  if (access.secrets.length > 0) return 'secretsmanager';
  return undefined;
};

const READ_ACTIONS: ReadonlySet<string> = new Set(['GetItem', 'Query', 'BatchGetItem']);
const SCHEDULED: ReadonlySet<AnyFunctionName> = new Set([
  'verify-due-credentials',
  'publish-lifecycle-events',
  'purge-deleted-secrets',
  'sweep-orphan-secrets',
]);

/**
 * The most a function's cold import may be, as a multiple of its own clients' floor: 1.1× for a
 * function that only reads, 1.2× for every other HTTP function and for resolve. The scheduled and
 * stream functions wait for no caller, and `get-api-document` builds no client: no goal.
 */
export const coldStartGoal = (name: AnyFunctionName, access: FunctionAccess): number | undefined => {
  if (SCHEDULED.has(name) || name === 'get-api-document') return undefined;
  const readOnly = access.secrets.length === 0 && access.table.every((action) => READ_ACTIONS.has(action));
  return readOnly ? 1.1 : 1.2;
};

type Sample = { wallMs: number; cpuMs: number };

/** Filled when Valgrind counted the instructions too. */
type InstructionsAgainstFloor = { requireMillionInstructions?: number; instructionRatioToFloor?: number };
type StackRow = InstructionsAgainstFloor & {
  description: string;
  minifiedBytes: number;
  coldImportMs: number;
  floorImportMs: number;
  ratioToFloor: number;
  cpuRatioToFloor: number;
};
type AnchorRow = InstructionsAgainstFloor & {
  description: string;
  minifiedBytes: number;
  coldImportMs: number;
  ownClientsFloorImportMs: number;
  ratioToOwnClientsFloor: number;
};

const goalFields = (goal: number | undefined, ratio: number | undefined) =>
  goal === undefined || ratio === undefined ? {} : { goal, meetsGoal: ratio <= goal };

const bundle = async (entry: string, outfile: string) => {
  await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    external: [...ESBUILD_OPTIONS.external],
    plugins: [...ESBUILD_OPTIONS.plugins],
    logLevel: 'silent',
  });
  return statSync(outfile).size;
};

/**
 * Cost of `require`-ing a bundle in a fresh Node process (Node's own start-up excluded): wall time,
 * and CPU time (user + system), which a noisy shared machine disturbs far less.
 */
const importOnce = (file: string): Sample => {
  const script = `const c=process.cpuUsage(),t=performance.now();require(${JSON.stringify(file)});const u=process.cpuUsage(c);process.stdout.write(JSON.stringify([performance.now()-t,(u.user+u.system)/1000]));`;
  const output = execFileSync(process.execPath, ['--no-warnings', '-e', script], { env: coldImportEnv() });
  const [wallMs, cpuMs] = JSON.parse(output.toString()) as [number, number];
  return { wallMs, cpuMs };
};

const medianOf = (samples: readonly Sample[], key: keyof Sample) =>
  Math.round(
    percentile(
      samples.map((sample) => sample[key]),
      50,
    ) * 10,
  ) / 10;

/** Each file's cold imports, measured in turn run after run so that machine drift hits them alike. */
const coldImports = (files: readonly string[], runs: number): Sample[][] => {
  const samples = files.map(() => [] as Sample[]);
  for (let run = 0; run < runs; run++) {
    files.forEach((file, index) => {
      samples[index]?.push(importOnce(file));
    });
  }
  return samples;
};

/**
 * The median of the per-run ratios: each run imports the function and its floor back to back, so a
 * slow spell of this shared machine slows both and cancels out (a ratio of medians let one slow
 * floor sample swing a function's ratio by 15 %).
 */
const pairedRatio = (own: readonly Sample[], floor: readonly Sample[], key: keyof Sample) =>
  Math.round(
    percentile(
      own.map((sample, run) => sample[key] / (floor[run]?.[key] ?? Number.NaN)),
      50,
    ) * 100,
  ) / 100;

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
  const stackSource = join(root, 'bench/.floor-stack.ts');
  writeFileSync(stackSource, STACK_FLOOR);
  const stackFile = join(directory, 'floors', 'stack.cjs');
  const stackBytes = await bundle(stackSource, stackFile);
  execFileSync('rm', ['-f', stackSource]);
  const dynamodbFloor = floors.dynamodb;
  if (!dynamodbFloor) throw new Error('floor bundle missing');
  // Measured once, so with three times the samples: it is the yardstick of the paragraph it feeds.
  const [stackSample, stackReference] = coldImports([stackFile, dynamodbFloor.file], runs * 3);
  if (!stackSample || !stackReference) throw new Error('cold import samples missing');
  const stack: StackRow = {
    description:
      'DynamoDB client + middy + the zod schemas a reading function parses with, against the DynamoDB floor',
    minifiedBytes: stackBytes,
    coldImportMs: medianOf(stackSample, 'wallMs'),
    floorImportMs: medianOf(stackReference, 'wallMs'),
    ratioToFloor: pairedRatio(stackSample, stackReference, 'wallMs'),
    cpuRatioToFloor: pairedRatio(stackSample, stackReference, 'cpuMs'),
  };

  const anchorSource = join(root, 'bench/.anchor.ts');
  writeFileSync(anchorSource, ANCHOR);
  const anchorFile = join(directory, 'floors', 'anchor.cjs');
  const anchorBytes = await bundle(anchorSource, anchorFile);
  execFileSync('rm', ['-f', anchorSource]);
  const [anchorSample, anchorFloor] = coldImports([anchorFile, dynamodbFloor.file], runs);
  if (!anchorSample || !anchorFloor) throw new Error('cold import samples missing');
  const anchor: AnchorRow = {
    description:
      "Powertools for AWS Lambda's reference get-by-id, bundled alike, against its own clients' floor",
    minifiedBytes: anchorBytes,
    coldImportMs: medianOf(anchorSample, 'wallMs'),
    ownClientsFloorImportMs: medianOf(anchorFloor, 'wallMs'),
    ratioToOwnClientsFloor: pairedRatio(anchorSample, anchorFloor, 'wallMs'),
  };

  const functions: Record<string, Record<string, unknown>> = {};
  const counted: { name: AnyFunctionName; file: string; floor?: string; goal?: number }[] = [];
  for (const [name, access] of Object.entries(FUNCTION_ACCESS) as [AnyFunctionName, FunctionAccess][]) {
    const outfile = join(directory, `${name}.cjs`);
    const bytes = await bundle(join(root, `functions/${name}/handler.ts`), outfile);
    // Issue #15's floor builds the DynamoDB and Secrets Manager clients; the event publisher's
    // only client is EventBridge's, so its reference floor is that one.
    const referenceName: FloorName =
      name === 'publish-lifecycle-events' ? 'eventbridge' : 'dynamodb+secretsmanager';
    const ownName = ownFloorOf(name, access);
    const reference = floors[referenceName];
    const ownFloor = ownName ? floors[ownName] : undefined;
    if (!reference) throw new Error('floor bundle missing');
    const [own, referenceSample, ownFloorSample] = coldImports(
      [outfile, reference.file, ...(ownFloor && ownName !== referenceName ? [ownFloor.file] : [])],
      runs,
    );
    if (!own || !referenceSample) throw new Error('cold import samples missing');
    const ownFloorMeasured = ownName === referenceName ? referenceSample : ownFloorSample;
    counted.push({ name, file: outfile, floor: ownFloor?.file, goal: coldStartGoal(name, access) });
    functions[name] = {
      minifiedBytes: bytes,
      floorMinifiedBytes: reference.bytes,
      coldImportMs: medianOf(own, 'wallMs'),
      floorImportMs: medianOf(referenceSample, 'wallMs'),
      ratioToFloor: pairedRatio(own, referenceSample, 'wallMs'),
      coldImportCpuMs: medianOf(own, 'cpuMs'),
      floorImportCpuMs: medianOf(referenceSample, 'cpuMs'),
      cpuRatioToFloor: pairedRatio(own, referenceSample, 'cpuMs'),
      ...(ownName && ownFloor && ownFloorMeasured
        ? {
            ownClientsFloor: ownName,
            ownClientsFloorMinifiedBytes: ownFloor.bytes,
            ownClientsFloorImportMs: medianOf(ownFloorMeasured, 'wallMs'),
            ratioToOwnClientsFloor: pairedRatio(own, ownFloorMeasured, 'wallMs'),
          }
        : {}),
      touchesSecretsManager: access.secrets.length > 0,
      schemasBuiltAtInit: await schemasBuiltAtInit(
        join(root, `functions/${name}/handler.ts`),
        join(directory, 'counted', `${name}.cjs`),
      ),
      ...goalFields(
        coldStartGoal(name, access),
        ownName && ownFloorMeasured ? pairedRatio(own, ownFloorMeasured, 'wallMs') : undefined,
      ),
    };
  }
  const instructions = valgrindAvailable()
    ? await countInstructions(directory, counted, { stack: stackFile, anchor: anchorFile }, floors)
    : undefined;
  if (instructions) {
    for (const row of counted) Object.assign(functions[row.name] ?? {}, instructions.functions[row.name]);
    Object.assign(stack, instructions.stack);
    Object.assign(anchor, instructions.anchor);
  }
  return {
    runsPerMedian: runs,
    ...(instructions ? { instructionsCountedBy: instructions.countedBy } : {}),
    floorBytes: Object.fromEntries(Object.entries(floors).map(([k, v]) => [k, v.bytes])),
    stack,
    anchor,
    functions,
  };
};

const millions = (count: number) => Math.round(count / 1e5) / 10;
const ratioOf = (own: number, floor: number) => Math.round((own / floor) * 100) / 100;

/**
 * The same comparisons counted in instructions: each bundle's `require` against the floor of its
 * own clients (the anchor and the stack against the DynamoDB floor's), with each function's goal.
 */
const countInstructions = async (
  directory: string,
  counted: readonly { name: AnyFunctionName; file: string; floor?: string; goal?: number }[],
  extras: { stack: string; anchor: string },
  floors: Record<string, { file: string }>,
) => {
  const floorFiles = Object.values(floors).map((floor) => floor.file);
  const counts = await requireInstructions(directory, [
    ...floorFiles,
    extras.stack,
    extras.anchor,
    ...counted.map((row) => row.file),
  ]);
  const countOf = (file: string) => counts.get(file) ?? Number.NaN;
  const dynamodb = countOf(floors.dynamodb?.file ?? '');
  const functions: Record<string, Record<string, unknown>> = {};
  for (const row of counted) {
    const own = countOf(row.file);
    const floor = row.floor === undefined ? undefined : countOf(row.floor);
    const ratio = floor === undefined ? undefined : ratioOf(own, floor);
    functions[row.name] = {
      requireMillionInstructions: millions(own),
      ...(floor === undefined ? {} : { ownClientsFloorMillionInstructions: millions(floor) }),
      ...(ratio === undefined ? {} : { instructionRatioToOwnClientsFloor: ratio }),
      // Judged unrounded: a count does not wobble, so 1.104× is over a 1.1× goal, not at it.
      ...(row.goal === undefined || floor === undefined
        ? {}
        : { meetsGoalByInstructions: own / floor <= row.goal }),
    };
  }
  const versus = (file: string) => ({
    requireMillionInstructions: millions(countOf(file)),
    instructionRatioToFloor: ratioOf(countOf(file), dynamodb),
  });
  return {
    countedBy: execFileSync('valgrind', ['--version']).toString().trim(),
    functions,
    stack: versus(extras.stack),
    anchor: versus(extras.anchor),
  };
};
