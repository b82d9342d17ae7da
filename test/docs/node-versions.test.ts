import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('one honest Node.js minimum', () => {
  const declared = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const minimum = semver.minVersion(declared)?.version ?? '';

  /**
   * Test-only packages that declare a newer Node than they need here, each with what the tests do
   * about it; npm install prints one EBADENGINE warning per entry (docs/development.md says so).
   */
  const TEST_ONLY_NEWER_ENGINES: Record<string, string> = {
    // Needs Promise.withResolvers (Node 22); test/integration/workflows.test.ts polyfills it.
    'node_modules/aws-local-stepfunctions': '>=22.0.0',
  };

  it('is met by every installed package but the listed test-only ones, so npm install warns of no other', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (TEST_ONLY_NEWER_ENGINES[path] === range) return [];
      return path !== '' && range && !semver.satisfies(minimum, range) ? [`${path} needs ${range}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('is the one the README states, beside the Lambda runtime the stacks deploy', () => {
    const readme = read('README.md');
    expect(readme).toContain(`Node.js ${minimum.replace(/\.0$/, '')} or later`);
    const runtime = /Runtime\.NODEJS_(\d+)_X/.exec(read('infra/constructs/credentials-function.ts'))?.[1];
    expect(readme).toContain(`Node.js ${runtime} runtime`);
  });

  it('is the version these tests run on or below it', () => {
    expect(semver.gte(process.version, minimum)).toBe(true);
  });
});
