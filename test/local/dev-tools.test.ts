import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const tsx = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

describe('the local tools a newcomer meets', () => {
  it('npm run invoke with an unknown function lists the valid names instead of a stack trace', () => {
    const run = spawnSync(process.execPath, [tsx, 'local/invoke.ts', 'no-such-function', '{}'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '--no-warnings' },
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown function 'no-such-function'");
    expect(run.stderr).toContain('resolve-credential');
    expect(run.stderr).toContain('create-credential');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Folders without a handler (the contract builder) are not offered.
    expect(run.stderr).not.toContain('contract');
  });

  it('DynamoDB Local (running for this test run) writes nothing at the checkout root', () => {
    expect(existsSync(new URL('dynamodb-local-metadata.json', `file://${root}`))).toBe(false);
  });
});
