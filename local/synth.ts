import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * `npm run synth`: `cdk synth --quiet`, quiet indeed. The CLI prints a reminder about feature flags
 * left at their defaults (the stacks pin the behaviour they are tested with): that goes; every
 * warning, error and cdk-nag finding still shows, and the exit code is CDK's.
 */
const NOISE = [/^\d+ feature flags are not configured\./];

const child = spawn(
  process.execPath,
  [
    new URL('../node_modules/aws-cdk/bin/cdk', import.meta.url).pathname,
    'synth',
    '--quiet',
    '--no-notices',
    ...process.argv.slice(2),
  ],
  { stdio: ['inherit', 'pipe', 'pipe'] },
);
for (const [stream, out] of [
  [child.stdout, process.stdout],
  [child.stderr, process.stderr],
] as const) {
  createInterface({ input: stream }).on('line', (line) => {
    if (!NOISE.some((pattern) => pattern.test(line))) out.write(`${line}\n`);
  });
}
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
