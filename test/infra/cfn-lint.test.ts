import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { TENANTS_CONTEXT_KEY } from '../../infra/tenant-config.ts';

/**
 * AWS's own template linter over the stacks `cdk.json` ships. It is preinstalled on the project's
 * machines; elsewhere `pip install cfn-lint`. Without it the test says it was skipped.
 */
const available = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
if (!available)
  process.stderr.write('cfn-lint is not installed: the template lint was skipped (pip install cfn-lint)\n');

/** Findings with a written reason; everything else fails the suite. */
const ACCEPTED: Record<string, string> = {
  W3005:
    'CDK adds an explicit DependsOn beside a Ref/GetAtt that already implies it (e.g. a role policy before its function); harmless, and not ours to remove.',
};

interface Finding {
  Rule: { Id: string };
  Message: string;
  Filename: string;
  Location: { Path: (string | number)[] };
}

describe('the synthesized templates pass cfn-lint', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'credentials-cfn-lint-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it.skipIf(!available)(
    '0 errors and no warning without a written reason, for every tenant in cdk.json',
    () => {
      const context = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
      // Bundling is not what cfn-lint reads: the templates are the same without it.
      const app = buildApp(
        new App({
          outdir,
          context: { [TENANTS_CONTEXT_KEY]: context[TENANTS_CONTEXT_KEY], 'aws:cdk:bundling-stacks': [] },
        }),
      );
      app.synth();
      const templates = readdirSync(outdir)
        .filter((name) => name.endsWith('.template.json'))
        .map((name) => join(outdir, name));
      expect(templates.length).toBe(context[TENANTS_CONTEXT_KEY].length);
      const run = spawnSync('cfn-lint', ['--format', 'json', ...templates], {
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      // Exit codes are bit flags (2 errors, 4 warnings, 8 informational); anything else is a failure to run.
      expect(run.error).toBeUndefined();
      expect((run.status ?? 1) & ~(2 | 4 | 8)).toBe(0);
      const findings = JSON.parse(run.stdout) as Finding[];
      const unexplained = findings
        .filter((finding) => !(finding.Rule.Id in ACCEPTED))
        .map((finding) => `${finding.Rule.Id} ${finding.Location.Path.join('/')}: ${finding.Message}`);
      expect(unexplained).toEqual([]);
    },
    120_000,
  );
});
