import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BENCHMARKS_DOC,
  committedResults,
  GENERATED_SECTIONS,
  withGeneratedTables,
} from '../../bench/benchmark-tables.ts';
import { freePort } from '../../local/free-port.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

const anchorsOf = (file: string): Set<string> =>
  new Set(
    [...readFileSync(file, 'utf8').matchAll(/^#{1,6}\s+(.+)$/gm)].map((match) => slug(match[1] as string)),
  );

/** Fenced `sh` blocks, with whether a `<!-- not runnable … -->` comment marks them. */
const shellBlocks = (markdown: string) =>
  [...markdown.matchAll(/(<!-- not runnable[^>]*-->\n)?```sh\n([\s\S]*?)```/g)].map((match) => ({
    runnable: match[1] === undefined,
    script: match[2] as string,
  }));

describe('the docs', () => {
  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/i.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const file = path === '' ? join(root, page) : resolve(dirname(join(root, page)), path);
        if (!existsSync(file)) broken.push(`${page}: ${target} (no such file)`);
        else if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
          broken.push(`${page}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('quote the committed bench results where they show figures, as the bench wrote them', () => {
    const document = readFileSync(BENCHMARKS_DOC, 'utf8');
    const results = committedResults();
    for (const name of GENERATED_SECTIONS) expect(document).toContain(`<!-- bench:${name} -->`);
    // `npm run bench -- --docs` after `--write`: the tables are the results, not a copy edited by hand.
    expect(document).toBe(withGeneratedTables(document, results));
  });

  it('keep the README a front page', () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').split('\n').length;
    expect(lines).toBeLessThanOrEqual(150);
  });

  describe("the README's tour, run against `npm start`", () => {
    let stack: ChildProcess | undefined;
    const state = mkdtempSync(join(tmpdir(), 'credentials-tour-'));
    afterAll(async () => {
      if (stack?.pid) {
        process.kill(-stack.pid, 'SIGTERM');
        await new Promise((done) => setTimeout(done, 1500));
        try {
          process.kill(-stack.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmSync(state, { recursive: true, force: true });
    });

    /** Starts the stack the way the README says, and reads the URL and token it prints. */
    const start = async (): Promise<{ api: string; token: string }> => {
      const port = await freePort();
      stack = spawn('npm', ['start'], {
        cwd: root,
        detached: true,
        env: { ...process.env, PORT: String(port), CREDENTIALS_LOCAL_STATE: state },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      stack.stderr?.on('data', (chunk) => {
        output += chunk;
      });
      return new Promise((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error(`npm start did not print its token:\n${output}`)),
          90_000,
        );
        stack?.stdout?.on('data', (chunk) => {
          output += chunk;
          const api = /Credentials API listening on (\S+)/.exec(output)?.[1];
          const token = /bearer token[^\n]*\n(\S+)\n/.exec(output)?.[1];
          if (api && token) {
            clearTimeout(timer);
            done({ api, token });
          }
        });
        stack?.once('exit', (code) => fail(new Error(`npm start exited with ${code}:\n${output}`)));
      });
    };

    /** A page's runnable blocks as one script, run as a reader would (unset variables fail). */
    const runPage = (page: string, api: string, token: string) => {
      const script = shellBlocks(readFileSync(join(root, page), 'utf8'))
        .filter((block) => block.runnable)
        .map((block) => block.script)
        .join('\n');
      return spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: root,
        env: { ...process.env, API: api, TOKEN: token, CREDENTIALS_LOCAL_STATE: state },
        encoding: 'utf8',
        timeout: 90_000,
      });
    };

    it('runs every shell block not marked as not runnable, as written', async () => {
      const blocks = shellBlocks(readFileSync(join(root, 'README.md'), 'utf8'));
      expect(blocks.filter((block) => !block.runnable).length).toBeGreaterThan(0);
      const { api, token } = await start();
      const run = runPage('README.md', api, token);
      expect(run.stderr).not.toMatch(/command not found|No such file/);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      // What the tour says happens, happens.
      expect(run.stdout).toContain('"credentialCount"');
      expect(run.stdout).toMatch(/created \w+\.petstore/);
      expect(run.stdout).toContain('"code":"verification_failed"');
      expect(run.stdout).toContain('"name":"Pet shop (prod)"');
      expect(run.stdout).toContain('"code":"credential_in_use"');
      expect(run.stdout).toContain('"apiKey": "special-key"');
      expect(run.stdout).toMatch(/204\n/);
      expect(run.stdout).toContain('Demo OAuth2 provider connected');
      expect(run.stdout).toContain('"name":"Demo account"');

      // Every other page's runnable examples, against the same stack, after the tour.
      const others = pages.filter(
        (page) => page !== 'README.md' && shellBlocks(readFileSync(join(root, page), 'utf8')).length > 0,
      );
      expect(others).toEqual(
        expect.arrayContaining(['docs/api.md', 'docs/connect.md', 'docs/deploy.md', 'docs/workflows.md']),
      );
      const outputs: Record<string, string> = {};
      for (const page of others) {
        const result = runPage(page, api, token);
        expect(result.stderr, page).not.toMatch(/command not found|No such file|unbound variable/);
        expect(result.status, `${page}: ${result.stdout}${result.stderr}`).toBe(0);
        outputs[page] = result.stdout;
      }
      // docs/api.md's resolve example hands the step its secret; the proxy's, the API's answer only.
      expect(outputs['docs/api.md']).toContain('"apiKey": "special-key"');
      expect(outputs['docs/workflows.md']).toContain('"available": 7');
      expect(outputs['docs/workflows.md']).not.toContain('special-key');
      // docs/health.md's revoked key is found invalid by the scheduled check, after the report.
      expect(outputs['docs/health.md']).toContain('"check": "scheduled"');
      expect(outputs['docs/health.md']).toMatch(/"status":"invalid"/);
    }, 240_000);
  });
});
