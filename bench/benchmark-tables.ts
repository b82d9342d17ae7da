import { readFileSync, writeFileSync } from 'node:fs';
import { MORE_SECTIONS } from './benchmark-sections.ts';
import { kb, ms1 as ms, table } from './markdown-table.ts';

/**
 * The parts of docs/benchmarks.md written from the committed results (bench/results/latest.json),
 * between `<!-- bench:<name> -->` and `<!-- /bench:<name> -->`: the document cannot say what the
 * bench did not measure. `npm run bench -- --docs` rewrites them; the docs test checks them.
 */
type Results = Record<string, unknown>;
type BundleRow = {
  minifiedBytes: number;
  coldImportMs: number;
  ownClientsFloor?: string;
  ownClientsFloorImportMs?: number;
  ratioToOwnClientsFloor?: number;
  schemasBuiltAtInit?: number;
  goal?: number;
  meetsGoal?: boolean;
  instructionRatioToOwnClientsFloor?: number;
  meetsGoalByInstructions?: boolean;
};
const FLOOR_NAMES: Record<string, string> = {
  'dynamodb+secretsmanager': 'both',
  dynamodb: 'DynamoDB',
  secretsmanager: 'Secrets Manager',
  eventbridge: 'EventBridge',
};
const bundles = (results: Results): string => {
  const section = results.bundles as {
    measuredAt: string;
    runsPerMedian: number;
    instructionsCountedBy?: string;
    stack?: {
      minifiedBytes: number;
      coldImportMs: number;
      floorImportMs: number;
      ratioToFloor: number;
      instructionRatioToFloor?: number;
    };
    anchor?: {
      minifiedBytes: number;
      coldImportMs: number;
      ownClientsFloorImportMs: number;
      ratioToOwnClientsFloor: number;
      instructionRatioToFloor?: number;
    };
    functions: Record<string, BundleRow>;
    previous?: { measuredAt: string; ratios: Record<string, number> };
  };
  const previous = section.previous;
  const counted = section.instructionsCountedBy !== undefined;
  const ratioIn = (ratio: number | undefined) => (ratio === undefined ? '—' : `${ratio}×`);
  const goalOf = (goal: number | undefined, met: boolean | undefined) =>
    goal === undefined ? '—' : `≤ ${goal}× ${met ? 'met' : '**not met**'}`;
  const rows = Object.entries(section.functions).map(([name, row]) => [
    `\`${name}\``,
    kb(row.minifiedBytes),
    row.schemasBuiltAtInit === undefined ? '—' : String(row.schemasBuiltAtInit),
    ms(row.coldImportMs),
    row.ownClientsFloor
      ? `${FLOOR_NAMES[row.ownClientsFloor] ?? row.ownClientsFloor}, ${ms(row.ownClientsFloorImportMs ?? 0)}`
      : '—',
    ratioIn(row.ratioToOwnClientsFloor),
    goalOf(row.goal, row.meetsGoal),
    ...(counted
      ? [ratioIn(row.instructionRatioToOwnClientsFloor), goalOf(row.goal, row.meetsGoalByInstructions)]
      : []),
    ...(previous ? [ratioIn(previous.ratios[name])] : []),
  ]);
  const { anchor, stack } = section;
  if (anchor)
    rows.push([
      'anchor: Powertools `get-by-id`',
      kb(anchor.minifiedBytes),
      '—',
      ms(anchor.coldImportMs),
      `DynamoDB, ${ms(anchor.ownClientsFloorImportMs)}`,
      `${anchor.ratioToOwnClientsFloor}×`,
      '—',
      ...(counted ? [ratioIn(anchor.instructionRatioToFloor), '—'] : []),
      ...(previous ? [previous.ratios.anchor === undefined ? '—' : `${previous.ratios.anchor}×`] : []),
    ]);
  if (stack)
    rows.push([
      'stack: DynamoDB client, middy, zod (one object)',
      kb(stack.minifiedBytes),
      '—',
      ms(stack.coldImportMs),
      `DynamoDB, ${ms(stack.floorImportMs)}`,
      `${stack.ratioToFloor}×`,
      '—',
      ...(counted ? [ratioIn(stack.instructionRatioToFloor), '—'] : []),
      ...(previous ? [previous.ratios.stack === undefined ? '—' : `${previous.ratios.stack}×`] : []),
    ]);
  const met = Object.values(section.functions).filter((row) => row.goal !== undefined);
  const countedLine = counted
    ? ` In instructions (${section.instructionsCountedBy}): ${met.filter((row) => row.meetsGoalByInstructions).length} of ${met.length}.`
    : '';
  return [
    `Measured ${section.measuredAt.slice(0, 10)}, medians of ${section.runsPerMedian} paired runs${previous ? `; "previous" is the run of ${previous.measuredAt.slice(0, 16).replace('T', ' ')} UTC` : ''}. Goals met in time: ${met.filter((row) => row.meetsGoal).length} of ${met.length}.${countedLine}`,
    '',
    table(
      [
        'function',
        'minified',
        'schemas built at init',
        'cold import',
        "own clients' floor",
        'ratio',
        'goal',
        ...(counted ? ['instructions', 'goal in instructions'] : []),
        ...(previous ? ['previous'] : []),
      ],
      rows,
    ),
  ].join('\n');
};

const counts = (results: Results): string => {
  const section = results.countShards as {
    measuredAt: string;
    creates: number;
    concurrency: number;
    speedup: number;
    oneCountItem: Record<string, number | boolean>;
    shardedCount: Record<string, number | boolean>;
  };
  const row = (label: string, values: Record<string, number | boolean>) => [
    label,
    String(values.createsPerSecond),
    String(values.failedAfterRetries),
    String(values.conflictsAnswered),
    values.countExact ? 'yes' : 'no',
  ];
  return [
    `Measured ${section.measuredAt.slice(0, 10)}: ${section.creates} creates into one component, ${section.concurrency} at a time; ${section.speedup}× the creates per second.`,
    '',
    table(
      ['count items', 'creates/s', 'failed after 6 tries', 'conflicts answered', 'count exact'],
      [
        row('one (before)', section.oneCountItem),
        row(`${section.shardedCount.countItems} shards`, section.shardedCount),
      ],
    ),
  ].join('\n');
};

const lighthouse = (results: Results): string => {
  const section = results.lighthouse as {
    measuredAt: string;
    lighthouse: string;
    chromium: string;
    screens: Record<string, { title: string; scores: Record<string, number>; failedAudits: string[] }>;
  };
  return [
    `Measured ${section.measuredAt.slice(0, 10)} with Lighthouse ${section.lighthouse} in ${section.chromium}, desktop, signed in.`,
    '',
    table(
      ['screen', 'accessibility', 'best practices', 'performance', 'audits not passed'],
      Object.entries(section.screens).map(([screen, result]) => [
        `\`${screen}\` (${result.title.replace(' · Credentials console', '')})`,
        String(result.scores.accessibility),
        String(result.scores['best-practices']),
        String(result.scores.performance),
        result.failedAudits.join(', ') || 'none',
      ]),
    ),
  ].join('\n');
};

const health = (results: Results): string => {
  const section = results.health as {
    measuredAt: string;
    dueRuns: Record<
      string,
      { checked: number; awsCallsPerCheck: number; queries: number; msPerCheck: number }
    > & {
      msPerCheckRatio: number;
      awsCallsPerCheckRatio: number;
    };
    revocationToInvalidated: { simulatedSeconds: number | null; runs: number };
    idleOAuthMonth: {
      credentials: number;
      keepAliveDays: number;
      simulatedDays: number;
      tokenCalls: number;
      tokenCallsPerCredential: number;
      refreshTokenReuses: number;
    };
  };
  const { msPerCheckRatio, awsCallsPerCheckRatio, ...runs } = section.dueRuns;
  const revocation = section.revocationToInvalidated;
  const month = section.idleOAuthMonth;
  return [
    `Measured ${section.measuredAt.slice(0, 10)}.`,
    '',
    table(
      ['tenant', 'checked', 'AWS calls per check', 'Queries of the due index', 'ms per check'],
      Object.entries(runs).map(([tenant, run]) => [
        tenant,
        String(run.checked),
        String(run.awsCallsPerCheck),
        String(run.queries),
        String(run.msPerCheck),
      ]),
    ),
    '',
    `Large tenant against small: **${awsCallsPerCheckRatio}×** the AWS calls per check, **${msPerCheckRatio}×** the time per check (goal ≤ 1.1×).`,
    '',
    `- **Revocation to \`credential.invalidated\`** (1-minute interval, a run every 15 s, simulated clock): ${revocation.simulatedSeconds} s, ${revocation.runs} runs.`,
    `- **Idle OAuth2 connections**: ${month.credentials} credentials, ${month.keepAliveDays}-day keep-alive, hourly runs over ${month.simulatedDays} simulated days: ${month.tokenCalls} token calls (${month.tokenCallsPerCredential} per credential), ${month.refreshTokenReuses} refresh tokens presented twice.`,
  ].join('\n');
};

const SECTIONS: Record<string, { source: string; render: (results: Results) => string }> = {
  bundles: { source: 'bundles', render: bundles },
  counts: { source: 'countShards', render: counts },
  lighthouse: { source: 'lighthouse', render: lighthouse },
  health: { source: 'health', render: health },
  ...MORE_SECTIONS,
};

/** Every part the document must generate (the docs test checks each marker is there). */
export const GENERATED_SECTIONS = Object.keys(SECTIONS);

/** The document with every generated part written from `results`. */
export const withGeneratedTables = (document: string, results: Results): string =>
  Object.entries(SECTIONS).reduce((text, [name, { source, render }]) => {
    const start = `<!-- bench:${name} -->`;
    const end = `<!-- /bench:${name} -->`;
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from || !results[source]) return text;
    return `${text.slice(0, from + start.length)}\n${render(results)}\n${text.slice(to)}`;
  }, document);

export const BENCHMARKS_DOC = new URL('../docs/benchmarks.md', import.meta.url);
export const LATEST_RESULTS = new URL('./results/latest.json', import.meta.url);
export const SCALE_RESULTS = new URL('./results/scale.json', import.meta.url);

/** The committed results: latest.json, with the 100,000-credential run (scale.json) as `scale`. */
export const committedResults = (): Results => ({
  ...(JSON.parse(readFileSync(LATEST_RESULTS, 'utf8')) as Results),
  scale: JSON.parse(readFileSync(SCALE_RESULTS, 'utf8')),
});

export const writeBenchmarkTables = (): void => {
  const results = committedResults();
  writeFileSync(BENCHMARKS_DOC, withGeneratedTables(readFileSync(BENCHMARKS_DOC, 'utf8'), results));
};
