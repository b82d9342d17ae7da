import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { benchApi } from './api-bench.ts';
import { writeBenchmarkTables } from './benchmark-tables.ts';
import { benchBundles } from './bundle-bench.ts';
import { benchCountShards } from './count-shard-bench.ts';
import { benchHealth } from './health-bench.ts';
import { benchLighthouse } from './lighthouse-bench.ts';
import { type BenchStack, startBenchStack } from './local-stack.ts';
import { benchProxy } from './proxy-bench.ts';
import { benchRace } from './race-bench.ts';
import { benchRefreshMatrix } from './refresh-bench.ts';
import { benchResolve } from './resolve-bench.ts';
import { benchScale } from './scale-bench.ts';
import { benchSecretWrites } from './secret-writes-bench.ts';
import { benchSweeper } from './sweeper-bench.ts';
import { benchSynth } from './synth-bench.ts';
import { benchTokenLifetimes } from './token-lifetime-bench.ts';

/** `npm run bench`: every number the README claims, measured in one run, written to bench/results. */
/** `npm run bench -- --scale`: the 100,000-credential tenant beside a 100-credential one, alone. */
const scale = async () => {
  const stack = await startBenchStack();
  try {
    process.stdout.write('scale: seeding 100,000 + 100 credentials, then measuring...\n');
    const results = { measuredAt: new Date().toISOString(), ...(await benchScale(stack)) };
    const written = save('scale.json', results);
    for (const [name, row] of Object.entries(results.listings))
      process.stdout.write(`${name.padEnd(40)} ${JSON.stringify(row)}\n`);
    process.stdout.write(`${JSON.stringify(results.throughput)}\nfull results: ${written}\n`);
  } finally {
    await stack.stop();
  }
};

type BundleRow = {
  minifiedBytes: number;
  coldImportMs: number;
  ratioToFloor: number;
  ratioToOwnClientsFloor?: number;
  schemasBuiltAtInit?: number;
  goal?: number;
  meetsGoal?: boolean;
  instructionRatioToOwnClientsFloor?: number;
  meetsGoalByInstructions?: boolean;
};

/** The ratios of the committed run before this one, kept beside the new figures as "previous". */
const previousBundleRatios = () => {
  const committed = new URL('./results/latest.json', import.meta.url);
  if (!existsSync(committed)) return undefined;
  const section = JSON.parse(readFileSync(committed, 'utf8')).bundles as
    | {
        measuredAt: string;
        functions: Record<string, { ratioToOwnClientsFloor?: number }>;
        anchor?: { ratioToOwnClientsFloor: number };
        stack?: { ratioToFloor: number };
      }
    | undefined;
  if (!section) return undefined;
  const ratios: Record<string, number> = {};
  for (const [name, row] of Object.entries(section.functions))
    if (row.ratioToOwnClientsFloor !== undefined) ratios[name] = row.ratioToOwnClientsFloor;
  if (section.anchor) ratios.anchor = section.anchor.ratioToOwnClientsFloor;
  if (section.stack) ratios.stack = section.stack.ratioToFloor;
  return { measuredAt: section.measuredAt, ratios };
};

const countedLine = (row: { instructionRatioToFloor?: number }) =>
  row.instructionRatioToFloor === undefined ? '' : `  instructions ${row.instructionRatioToFloor}×`;

/** `npm run bench -- --bundles`: bundle sizes and cold imports alone (no local stack needed). */
const bundles = async () => {
  const previous = previousBundleRatios();
  const results = {
    measuredAt: new Date().toISOString(),
    ...(await benchBundles(Number(process.env.BENCH_BUNDLE_RUNS ?? 25))),
    ...(previous ? { previous } : {}),
  };
  // The bundle section of latest.json, replaced alone (it carries its own measuredAt).
  const written = saveSection('bundles', results);
  const line = (name: string, bytes: number, coldMs: number, ratio: number | undefined, rest: string) =>
    `${name.padEnd(30)} ${String(Math.round(bytes / 1024)).padStart(4)} KB ${String(coldMs).padStart(6)} ms  ${String(ratio ?? '-').padStart(5)}× own clients${rest}\n`;
  for (const [name, row] of Object.entries(results.functions) as [string, BundleRow][]) {
    const goal = row.goal === undefined ? '' : `  goal ≤ ${row.goal}×: ${row.meetsGoal ? 'met' : 'NOT MET'}`;
    const counted =
      row.instructionRatioToOwnClientsFloor === undefined
        ? ''
        : `  instructions ${row.instructionRatioToOwnClientsFloor}×${row.goal === undefined ? '' : row.meetsGoalByInstructions ? ' (met)' : ' (NOT MET)'}`;
    const before = previous?.ratios[name] === undefined ? '' : `  (previous ${previous.ratios[name]}×)`;
    process.stdout.write(
      line(
        name,
        row.minifiedBytes,
        row.coldImportMs,
        row.ratioToOwnClientsFloor,
        `  ${row.schemasBuiltAtInit} schemas at init${goal}${counted}${before}`,
      ),
    );
  }
  const { anchor, stack } = results;
  process.stdout.write(
    line(
      'anchor (Powertools get-by-id)',
      anchor.minifiedBytes,
      anchor.coldImportMs,
      anchor.ratioToOwnClientsFloor,
      countedLine(anchor),
    ),
  );
  process.stdout.write(
    line(
      'stack (client, middy, schemas)',
      stack.minifiedBytes,
      stack.coldImportMs,
      stack.ratioToFloor,
      countedLine(stack),
    ),
  );
  process.stdout.write(`full results: ${written}\n`);
};

/** `npm run bench -- --synth`: synthesis of cdk.json and of 20 tenants from the prebuilt bundles. */
const synthOnly = async () => {
  const results = { measuredAt: new Date().toISOString(), ...(await benchSynth()) };
  const written = saveSection('synth', results);
  process.stdout.write(`${JSON.stringify(results, null, 2)}\nfull results: ${written}\n`);
};

/** `npm run bench -- --race`: the in-use guard's races alone; with --write, replaces that section of latest.json. */
const raceOnly = async () => {
  const rounds = Number(process.env.BENCH_RACE_ROUNDS ?? 1000);
  const stack = await startBenchStack();
  try {
    process.stdout.write(`race: ${rounds} rounds of each pair...\n`);
    const results = { measuredAt: new Date().toISOString(), ...(await benchRace(stack, rounds)) };
    const written = saveSection('race', results);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\nfull results: ${written}\n`);
  } finally {
    await stack.stop();
  }
};

type LifetimeRow = {
  expiresInSeconds: number;
  resolves: number;
  tokenCalls: number;
  lifetimesElapsed: number;
};
const lifetimeLines = (results: { rows: LifetimeRow[] }) =>
  results.rows.map(
    (row) =>
      `  ${String(row.expiresInSeconds).padStart(4)} s token: ${row.tokenCalls} token calls for ${row.resolves} resolves over 10 min (${row.lifetimesElapsed} lifetimes)`,
  );

/** `npm run bench -- --lifetimes`: token calls for short-lived access tokens alone. */
const lifetimesOnly = async () => {
  const stack = await startBenchStack();
  try {
    const results = {
      measuredAt: new Date().toISOString(),
      ...(await benchTokenLifetimes(stack.dynamoDbEndpoint)),
    };
    const written = saveSection('tokenLifetimes', results);
    process.stdout.write(`${lifetimeLines(results).join('\n')}\nfull results: ${written}\n`);
  } finally {
    await stack.stop();
  }
};

/**
 * `npm run bench -- --refresh`: the OAuth2 refresh failure matrix, and Secrets Manager's versions
 * and write rates for a week of 30-minute rotating tokens and for 100,000 credentials.
 */
const refreshOnly = async () => {
  const stack = await startBenchStack();
  try {
    const results = {
      measuredAt: new Date().toISOString(),
      ...(await benchRefreshMatrix(stack.dynamoDbEndpoint)),
    };
    const written = saveSection('refreshMatrix', results);
    const { rows, ...totals } = results;
    process.stdout.write(`${JSON.stringify(totals)}\nfull results: ${written}\n`);
    const writes = {
      measuredAt: new Date().toISOString(),
      ...(await benchSecretWrites(stack.dynamoDbEndpoint)),
    };
    saveSection('secretWrites', writes);
    process.stdout.write(`${JSON.stringify(writes, null, 1)}\n`);
  } finally {
    await stack.stop();
  }
};

/**
 * One bench mode on the local stack: its measurement, stamped, saved as its section of the results
 * (with `--write`, of the committed latest.json) and printed.
 */
const sectionOnStack = async (section: string, measure: (stack: BenchStack) => Promise<object>) => {
  const stack = await startBenchStack();
  try {
    const results = { measuredAt: new Date().toISOString(), ...(await measure(stack)) };
    const written = saveSection(section, results);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\nfull results: ${written}\n`);
  } finally {
    await stack.stop();
  }
};

/** `npm run bench -- --health`: scheduled re-verification (100,000 credentials are seeded: minutes). */
const healthOnly = () =>
  sectionOnStack('health', (stack) => {
    process.stdout.write('health: seeding 100,000 + 1,000 credentials, then checking the due ones...\n');
    return benchHealth(stack, Number(process.env.BENCH_HEALTH_TOTAL ?? 100_000));
  });

/** `npm run bench -- --counts`: a bulk import into one component at c = 50, with DynamoDB's conflicts. */
const countsOnly = () =>
  sectionOnStack('countShards', (stack) =>
    benchCountShards(stack, Number(process.env.BENCH_COUNT_CREATES ?? 1000)),
  );

/** `npm run bench -- --lighthouse`: Lighthouse's scores for three console screens. */
const lighthouseOnly = () => sectionOnStack('lighthouse', benchLighthouse);

/** `npm run bench -- --proxy`: the proxy's overhead and AWS calls alone. */
const proxyOnly = () =>
  sectionOnStack('proxy', (stack) => benchProxy(stack, Number(process.env.BENCH_RUNS ?? 300)));

/** `npm run bench -- --latency`: the API's and resolve's latency and AWS calls alone. */
const latencyOnly = async () => {
  const runs = Number(process.env.BENCH_RUNS ?? 500);
  const stack = await startBenchStack();
  try {
    const measuredAt = new Date().toISOString();
    process.stdout.write('api: calls and latency...\n');
    const api = { measuredAt, ...(await benchApi(stack, runs)) };
    saveSection('api', api);
    process.stdout.write('resolve: hit and miss...\n');
    const resolve = { measuredAt, ...(await benchResolve(stack, runs)) };
    const written = saveSection('resolve', resolve);
    process.stdout.write(`${JSON.stringify({ api, resolve }, null, 2)}\nfull results: ${written}\n`);
  } finally {
    await stack.stop();
  }
};

const main = async () => {
  if (process.argv.includes('--scale')) return scale();
  if (process.argv.includes('--latency')) return latencyOnly();
  if (process.argv.includes('--proxy')) return proxyOnly();
  if (process.argv.includes('--health')) return healthOnly();
  if (process.argv.includes('--lighthouse')) return lighthouseOnly();
  if (process.argv.includes('--counts')) return countsOnly();
  if (process.argv.includes('--docs')) return writeBenchmarkTables();
  if (process.argv.includes('--refresh')) return refreshOnly();
  if (process.argv.includes('--lifetimes')) return lifetimesOnly();
  if (process.argv.includes('--race')) return raceOnly();
  if (process.argv.includes('--bundles')) return bundles();
  if (process.argv.includes('--synth')) return synthOnly();
  // --quick: the same measurements with fewer samples, for a check before a change (about a minute).
  const quick = process.argv.includes('--quick');
  const runs = Number(process.env.BENCH_RUNS ?? (quick ? 100 : 500));
  const raceRounds = Number(process.env.BENCH_RACE_ROUNDS ?? (quick ? 100 : 1000));
  const stack = await startBenchStack();
  const results: Record<string, unknown> = {
    measuredAt: new Date().toISOString(),
    machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
  };
  try {
    process.stdout.write('api: calls and latency...\n');
    results.api = await benchApi(stack, runs);
    process.stdout.write('resolve: hit and miss...\n');
    results.resolve = await benchResolve(stack, runs);
    process.stdout.write('proxy: overhead against the direct call...\n');
    results.proxy = await benchProxy(stack, runs);
    process.stdout.write(`race: ${raceRounds} rounds...\n`);
    results.race = await benchRace(stack, raceRounds);
    const sweepSecrets = Number(process.env.BENCH_SWEEP_SECRETS ?? (quick ? 1_000 : 10_000));
    process.stdout.write(`sweeper: one run over ${sweepSecrets} secrets...\n`);
    results.sweeper = await benchSweeper(stack.dynamoDbEndpoint, sweepSecrets);
    process.stdout.write('token lifetimes: short-lived access tokens over 10 minutes...\n');
    results.tokenLifetimes = await benchTokenLifetimes(stack.dynamoDbEndpoint);
    if (!quick) {
      process.stdout.write('refresh: failure matrix against a strict rotating provider...\n');
      results.refreshMatrix = await benchRefreshMatrix(stack.dynamoDbEndpoint);
    }
  } finally {
    await stack.stop();
  }
  process.stdout.write('bundles: size and cold import per function...\n');
  results.bundles = await benchBundles(Number(process.env.BENCH_BUNDLE_RUNS ?? (quick ? 5 : 25)));
  // A quick run never overwrites the committed figures.
  const written = save(quick ? 'quick.json' : 'latest.json', results, quick ? './results/local/' : undefined);
  const api = results.api as { latency: Record<string, { medianMs: number; p99Ms: number }> };
  const resolve = results.resolve as { latency: Record<string, { medianMs: number; p99Ms: number }> };
  const race = results.race as {
    rounds: number;
    violations: number;
    newReference: { deletesRefused: number; activationsRefused: number };
    inactiveReference: { deletesRefused: number; activationsRefused: number };
  };
  const refresh = results.refreshMatrix as
    | { cases: number; refreshTokenReuses: number; invariantsHeld: number }
    | undefined;
  const bundleRows = Object.entries(
    (results.bundles as { functions: Record<string, BundleRow> }).functions,
  ) as [string, BundleRow][];
  const sweeper = results.sweeper as { secrets: number; runMs: number };
  const lines = [
    ...Object.entries({
      ...api.latency,
      ...Object.fromEntries(Object.entries(resolve.latency).map(([k, v]) => [`resolve ${k}`, v])),
    }).map(
      ([name, value]) =>
        `${name.padEnd(24)} median ${String(value.medianMs).padStart(7)} ms   p99 ${value.p99Ms} ms`,
    ),
    `race                     ${race.rounds} rounds × 2 pairs, ${race.violations} violations`,
    `  new reference          ${race.newReference.deletesRefused} deletes refused, ${race.newReference.activationsRefused} activations refused`,
    `  inactive reference     ${race.inactiveReference.deletesRefused} deletes refused, ${race.inactiveReference.activationsRefused} activations refused`,
    refresh
      ? `refresh matrix           ${refresh.cases} cases, ${refresh.refreshTokenReuses} reuses, ${refresh.invariantsHeld} held`
      : 'refresh matrix           skipped (--quick)',
    `sweeper                  ${sweeper.secrets} secrets in ${sweeper.runMs} ms`,
    'token lifetimes (sequential resolves every 4 s)',
    ...lifetimeLines(results.tokenLifetimes as { rows: LifetimeRow[] }),
    'cold start (bundle, median cold import, × the floor of the clients the function builds, goal)',
    ...bundleRows.map(
      ([name, row]) =>
        `  ${name.padEnd(26)} ${String(Math.round(row.minifiedBytes / 1024)).padStart(4)} KB ${String(row.coldImportMs).padStart(6)} ms  ${row.ratioToOwnClientsFloor ?? '-'}×${row.goal === undefined ? '' : ` (≤ ${row.goal}×: ${row.meetsGoal ? 'met' : 'not met'})`}`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\nfull results: ${written}\n`);
};

const resultsDirectory = () => (process.argv.includes('--write') ? './results/' : './results/local/');

/**
 * Results go to bench/results/local/ (ignored by git), so a run leaves a clone clean; `--write`
 * updates the committed bench/results/ files that docs/benchmarks.md quotes.
 */

const save = (name: string, results: unknown, directory = resultsDirectory()): string => {
  mkdirSync(new URL(directory, import.meta.url), { recursive: true });
  writeFileSync(new URL(`${directory}${name}`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  return `bench/${directory.slice(2)}${name}`;
};

/** Replaces one section of latest.json, leaving the others as they were measured. */
function saveSection(section: string, results: unknown): string {
  const latestFile = new URL(`${resultsDirectory()}latest.json`, import.meta.url);
  const latest = existsSync(latestFile) ? JSON.parse(readFileSync(latestFile, 'utf8')) : {};
  return save('latest.json', { ...latest, [section]: results });
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
