import { dayOf, ms, table, times } from './markdown-table.ts';

/**
 * The generated parts of docs/benchmarks.md beyond cold start, counts, health and the console: each
 * renders one section of the committed results (bench/results/latest.json, scale.json).
 */
type Results = Record<string, unknown>;
type Latency = { runs: number; medianMs: number; p99Ms: number };
type Calls = { calls: string[]; roundTrips: number };

const measured = (section: { measuredAt?: string }, results: Results) =>
  `Measured ${dayOf(section.measuredAt ?? (results.measuredAt as string | undefined))}`;

const latency = (results: Results): string => {
  const api = results.api as {
    measuredAt?: string;
    latency: Record<string, Latency>;
    getRatioToRawGetItem: { handlerOnly: number; throughGateway: number };
    usageRatioToGet?: number;
    awsCalls: { usage?: Calls };
  };
  const { latency: rows, getRatioToRawGetItem: ratio } = api;
  const row = (label: string, name: string, against?: number): string[] => {
    const value = rows[name];
    return [
      label,
      value ? ms(value.medianMs) : '—',
      value ? ms(value.p99Ms) : '—',
      against ? times(against) : '—',
    ];
  };
  const usage = api.awsCalls.usage;
  return [
    `${measured(api, results)}, ${rows.rawGetItem?.runs} runs each, interleaved.${usage ? ` The usage read makes ${usage.calls.join(' and ')} in ${usage.roundTrips} round${usage.roundTrips === 1 ? '' : 's'}.` : ''}`,
    '',
    table(
      ['', 'median', 'p99', '× raw GetItem'],
      [
        row('raw `GetItem` on the same DynamoDB Local', 'rawGetItem'),
        row('get, handler only', 'getHandlerOnly', ratio.handlerOnly),
        row('get, through the local gateway (HTTP + JWT)', 'getThroughGateway', ratio.throughGateway),
        row('list (20), through the gateway', 'listThroughGateway'),
        [
          ...row('usage (two flows), through the gateway', 'usageThroughGateway').slice(0, 3),
          api.usageRatioToGet ? `${times(api.usageRatioToGet)} the get` : '—',
        ],
        row('create (verification against the local Petstore included)', 'createThroughGateway'),
      ],
    ),
  ].join('\n');
};

const resolve = (results: Results): string => {
  const section = results.resolve as {
    measuredAt?: string;
    awsCalls: Record<string, Calls> & {
      twentyConcurrentMisses?: { total: number; byCall: Record<string, number> };
    };
    latency: Record<string, Latency>;
  };
  const { twentyConcurrentMisses, ...paths } = section.awsCalls;
  const labels: Record<string, string> = {
    miss: 'cache miss',
    hit: 'warm hit',
    withoutCredentialId: 'without `credentialId`, new container',
    withoutCredentialIdWarm: 'without `credentialId`, warm container',
  };
  const rows = Object.entries(paths).map(([name, path]) => [
    labels[name] ?? name,
    path.calls.join(', '),
    String(path.roundTrips),
    section.latency[name]
      ? `${ms(section.latency[name].medianMs)} / ${ms(section.latency[name].p99Ms)}`
      : '—',
  ]);
  const concurrent = twentyConcurrentMisses
    ? `\n\n20 concurrent resolves of one step in a new container: ${twentyConcurrentMisses.total} AWS calls (${Object.entries(
        twentyConcurrentMisses.byCall,
      )
        .map(([call, count]) => `${count} ${call}`)
        .join(', ')}).`
    : '';
  return `${measured(section, results)}.\n\n${table(['path', 'AWS calls', 'round trips', 'median / p99'], rows)}${concurrent}`;
};

const proxy = (results: Results): string => {
  const section = results.proxy as {
    measuredAt?: string;
    awsCalls: Record<string, Calls>;
    latency: Record<
      string,
      {
        direct: Latency;
        warm: Latency & { ratioToDirect: number };
        cold: Latency & { ratioToDirect: number };
        warmOverheadMs: number;
      }
    >;
  };
  const rows = Object.entries(section.latency).map(([api, row]) => [
    api.replace('api answering in ', ''),
    ms(row.direct.medianMs),
    `${ms(row.warm.medianMs)} (${times(row.warm.ratioToDirect)})`,
    `${ms(row.cold.medianMs)} (${times(row.cold.ratioToDirect)})`,
    ms(row.warmOverheadMs),
  ]);
  const calls = Object.entries(section.awsCalls)
    .map(([path, value]) => `${path}, ${value.calls.length} (${value.calls.join(', ')})`)
    .join('; ');
  return [
    `${measured(section, results)}.`,
    '',
    table(
      ['API answers in', 'direct', 'proxy, warm (× direct)', 'proxy, cold (× direct)', 'warm overhead'],
      rows,
    ),
    '',
    `AWS calls per proxied request: ${calls}.`,
  ].join('\n');
};

const race = (results: Results): string => {
  type Race = {
    deletesRefused: number;
    activationsRefused: number;
    unexpectedOutcomes: number;
    violations: number;
  };
  const section = results.race as {
    measuredAt?: string;
    rounds: number;
    newReference: Race;
    inactiveReference: Race;
  };
  const row = (label: string, value: Race) => [
    label,
    String(value.deletesRefused),
    String(value.activationsRefused),
    String(value.unexpectedOutcomes),
    `**${value.violations}**`,
  ];
  return [
    `${measured(section, results)}, ${section.rounds} rounds of each race.`,
    '',
    table(
      ['race', 'deletes refused', 'activations refused', 'unexpected outcomes', 'violations'],
      [row('new reference', section.newReference), row('inactive reference', section.inactiveReference)],
    ),
  ].join('\n');
};

const refresh = (results: Results): string => {
  const section = results.refreshMatrix as {
    measuredAt?: string;
    cases: number;
    tokenCalls: number;
    refreshTokenReuses: number;
    endingInvalid: number;
    invariantsHeld: number;
  };
  return `${measured(section, results)}: ${section.cases} cases, ${section.tokenCalls} token calls, ${section.refreshTokenReuses} refresh-token reuse(s), ${section.endingInvalid} credentials ending \`invalid\`, ${section.invariantsHeld} of ${section.cases} with every invariant held.`;
};

const secretWrites = (results: Results): string => {
  const section = results.secretWrites as {
    measuredAt?: string;
    regionWriteRatePerSecond: number;
    rotatingWeek: {
      simulatedDays: number;
      accessTokenMinutes: number;
      refreshes: number;
      writes: number;
      mostWritesIn24Hours: number;
      mostVersionsHeld: number;
      versionQuotaRefusals: number;
      throttled: number;
    };
    hourTokens: {
      credentials: number;
      writesPerSecondBudget: number;
      rows: {
        provider: string;
        start: string;
        peakWritesPerSecond: number;
        averageWritesPerSecond: number;
        writtenWithoutWaiting: number;
      }[];
    };
  };
  const week = section.rotatingWeek;
  const hours = section.hourTokens;
  return [
    `${measured(section, results)}. One credential, ${week.accessTokenMinutes}-minute access tokens and single-use refresh tokens, kept alive non-stop for ${week.simulatedDays} simulated days by the real code (DynamoDB Local, the local Secrets Manager on the simulated clock):`,
    '',
    table(
      [
        'refreshes',
        'versions written',
        'most in any 24 h',
        'most versions held',
        'quota refusals',
        'throttled',
      ],
      [
        [
          String(week.refreshes),
          String(week.writes),
          String(week.mostWritesIn24Hours),
          String(week.mostVersionsHeld),
          String(week.versionQuotaRefusals),
          String(week.throttled),
        ],
      ],
    ),
    '',
    `${hours.credentials.toLocaleString('en-US')} OAuth2 credentials with 1-hour access tokens, each used non-stop, over two simulated days (the service's rules played second by second; early refreshes share ${hours.writesPerSecondBudget} writes a second, the Region allows ${section.regionWriteRatePerSecond}):`,
    '',
    table(
      ['provider', 'tokens first obtained', 'peak writes a second', 'average', 'written without waiting'],
      hours.rows.map((row) => [
        row.provider,
        row.start,
        String(row.peakWritesPerSecond),
        String(row.averageWritesPerSecond),
        String(row.writtenWithoutWaiting),
      ]),
    ),
  ].join('\n');
};

const lifetimes = (results: Results): string => {
  const section = results.tokenLifetimes as {
    measuredAt?: string;
    durationSeconds: number;
    resolveEverySeconds: number;
    rows: {
      expiresInSeconds: number;
      resolves: number;
      tokenCalls: number;
      lifetimesElapsed: number;
      handedOutExpired: boolean;
    }[];
  };
  return [
    `${measured(section, results)}: a resolve every ${section.resolveEverySeconds} s for ${section.durationSeconds / 60} minutes of simulated time, one container.`,
    '',
    table(
      ['token lifetime', 'resolves', 'token calls', 'lifetimes elapsed', 'an expired token handed out'],
      section.rows.map((row) => [
        `${row.expiresInSeconds} s`,
        String(row.resolves),
        String(row.tokenCalls),
        String(row.lifetimesElapsed),
        row.handedOutExpired ? 'yes' : 'no',
      ]),
    ),
  ].join('\n');
};

const sweeper = (results: Results): string => {
  const section = results.sweeper as {
    measuredAt?: string;
    secrets: number;
    runMs: number;
    orphansScheduled: number;
    itemsChecked: number;
    complete: boolean;
  };
  return `${measured(section, results)}: one run over ${section.secrets} secrets (half without an item) took ${section.runMs} ms for both passes, ${section.orphansScheduled} orphans scheduled for deletion, ${section.itemsChecked} items checked${section.complete ? '' : ' (not complete)'}.`;
};

const synth = (results: Results): string => {
  const section = results.synth as {
    measuredAt: string;
    shippedCdkJson: { tenants: number; ms: number };
    twentyTenants: { tenants: number; ms: number };
    before: { shippedCdkJsonMs: number; twentyTenantsMs: number };
    goal: string;
    met: boolean;
  };
  const s = (milliseconds: number) => `${Math.round(milliseconds / 100) / 10} s`;
  return [
    `${measured(section, results)}. Goal: ${section.goal}, **${section.met ? 'met' : 'not met'}**.`,
    '',
    table(
      ['', 'before (esbuild per function at synth)', 'prebuilt'],
      [
        [
          `the shipped cdk.json (${section.shippedCdkJson.tenants} tenants)`,
          s(section.before.shippedCdkJsonMs),
          s(section.shippedCdkJson.ms),
        ],
        [
          `${section.twentyTenants.tenants} tenants`,
          s(section.before.twentyTenantsMs),
          s(section.twentyTenants.ms),
        ],
      ],
    ),
  ].join('\n');
};

const scale = (results: Results): string => {
  const section = results.scale as {
    measuredAt: string;
    seeded: { seconds: number };
    listings: Record<string, { 100: number; 100000: number; ratio: number }>;
    throughput: Record<string, { concurrency: number; perSecond: number; p99Ms: number; errors: number }[]>;
  };
  const listings = table(
    ['request', '100 credentials', '100,000 credentials', 'ratio'],
    Object.entries(section.listings).map(([request, row]) => [
      request,
      ms(row[100]),
      ms(row[100000]),
      `**${times(row.ratio)}**`,
    ]),
  );
  const throughput = table(
    ['request', 'concurrency', 'per second', 'p99', 'errors'],
    Object.entries(section.throughput).flatMap(([request, rows]) =>
      rows.map((row) => [
        request === 'get' ? 'GET /credentials/{id}' : 'POST /credentials',
        String(row.concurrency),
        String(row.perSecond),
        ms(row.p99Ms),
        String(row.errors),
      ]),
    ),
  );
  return `${measured(section, results)} (seeding took ${section.seeded.seconds} s).\n\n${listings}\n\nThroughput on the 100,000-credential tenant (local gateway, one process):\n\n${throughput}`;
};

/** Each generated part: the results it is written from, and how. */
export const MORE_SECTIONS: Record<string, { source: string; render: (results: Results) => string }> = {
  latency: { source: 'api', render: latency },
  resolve: { source: 'resolve', render: resolve },
  proxy: { source: 'proxy', render: proxy },
  race: { source: 'race', render: race },
  refresh: { source: 'refreshMatrix', render: refresh },
  'secret-writes': { source: 'secretWrites', render: secretWrites },
  lifetimes: { source: 'tokenLifetimes', render: lifetimes },
  sweeper: { source: 'sweeper', render: sweeper },
  synth: { source: 'synth', render: synth },
  scale: { source: 'scale', render: scale },
};
