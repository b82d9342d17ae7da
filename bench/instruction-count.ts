import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The instructions a fresh Node process spends `require`-ing a bundle, counted by Valgrind's
 * callgrind. Unlike a duration they do not depend on what else the machine does: the same bundle
 * counts the same to a tenth of a per cent, so a ratio of counts is a cold start's cost
 * without this shared machine's noise (cache misses and I/O are not in it; the durations are).
 */
export const valgrindAvailable = (): boolean => {
  if (process.env.BENCH_INSTRUCTIONS === '0') return false;
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/**
 * What the child gets: the bench's AWS settings, none of this machine's extra CA certificates (Node
 * parses them at start; a Lambda sets none) and none of the bench's own Node options (tsx's).
 */
export const coldImportEnv = (): NodeJS.ProcessEnv => {
  const { NODE_EXTRA_CA_CERTS: _extraCerts, NODE_OPTIONS: _options, ...env } = process.env;
  return {
    ...env,
    TABLE_NAME: 'bench',
    EVENT_BUS_NAME: 'bench',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'y',
  };
};

const COLLECTED = /Collected : (\d+)/;

const countOnce = async (file: string): Promise<number> => {
  const { stderr } = await run(
    'valgrind',
    [
      '--tool=callgrind',
      '--callgrind-out-file=/dev/null',
      // V8 writes the code it runs: without this Valgrind could run stale translations.
      '--smc-check=all',
      process.execPath,
      // V8 seeds its hashes and Math.random from the system otherwise: the count of Node's own
      // start then moves by a few million from process to process (a bundle's does not).
      '--random-seed=1',
      '--no-warnings',
      '-e',
      `require(${JSON.stringify(file)})`,
    ],
    { env: coldImportEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  const match = COLLECTED.exec(stderr);
  if (!match?.[1]) throw new Error(`callgrind printed no count for ${file}:\n${stderr.slice(-2000)}`);
  return Number(match[1]);
};

/**
 * Instructions each file's `require` costs beyond Node's own start (an empty file's count), one
 * process per core at a time: the counts do not depend on what runs beside them.
 */
export const requireInstructions = async (
  directory: string,
  files: readonly string[],
): Promise<Map<string, number>> => {
  const empty = join(directory, 'empty.cjs');
  writeFileSync(empty, '');
  const queue = [empty, ...files];
  const counts = new Map<string, number>();
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined; file = queue.shift())
      counts.set(file, await countOnce(file));
  };
  await Promise.all(Array.from({ length: Math.max(1, availableParallelism()) }, worker));
  const start = counts.get(empty) ?? 0;
  return new Map(files.map((file) => [file, (counts.get(file) ?? Number.NaN) - start]));
};
