import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('one honest Node.js minimum', () => {
  const declared = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
  const minimum = semver.minVersion(declared)?.version ?? '';

  it('is met by every installed package, so npm install warns of no engine', () => {
    const lock = JSON.parse(read('package-lock.json')) as {
      packages: Record<string, { engines?: { node?: string } | string[] }>;
    };
    const refusing = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
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
