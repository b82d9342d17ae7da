import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort } from './free-port.ts';

export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** AWS's DynamoDBLocal.jar, shipped by the `amplify-dynamodb-simulator` npm package (never committed). */
const emulatorDirectory = (): string => {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
};

const LOOPBACK_LAUNCHER = fileURLToPath(
  new URL('./dynamodb-loopback/LoopbackDynamoDbLocal.java', import.meta.url),
);

/**
 * The jar binds every interface and has no option for it: a small launcher, run from source by the
 * JDK's source launcher (Debian's openjdk-17-jre-headless has the compiler module it needs), binds
 * it to loopback. A Java without that module runs the jar as it is, and says so.
 */
const launch = (directory: string): string[] => {
  const modules = spawnSync('java', ['--list-modules'], { encoding: 'utf8' }).stdout ?? '';
  if (modules.includes('jdk.compiler@')) {
    return [
      '-cp',
      `${join(directory, 'DynamoDBLocal.jar')}:${join(directory, 'DynamoDBLocal_lib', '*')}`,
      LOOPBACK_LAUNCHER,
    ];
  }
  process.stderr.write(
    'Note: this Java has no jdk.compiler module, so DynamoDB Local listens on every interface, not only 127.0.0.1.\n',
  );
  return ['-jar', join(directory, 'DynamoDBLocal.jar')];
};

const assertJava = (): void => {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or later, and `java` was not found on PATH.\n' +
        'Install it (Debian/Ubuntu: `sudo apt-get install -y openjdk-17-jre-headless`), then run the command again.',
    );
  }
};

const waitUntilReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}.`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms.`);
  } finally {
    client.destroy();
  }
};

/**
 * Starts DynamoDB Local on a free loopback port. With `dataDirectory` the data survives restarts;
 * without it the database lives in memory (tests).
 */
export const startDynamoDbLocal = async (
  options: { port?: number; dataDirectory?: string } = {},
): Promise<DynamoDbLocal> => {
  assertJava();
  const directory = emulatorDirectory();
  if (!existsSync(join(directory, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDBLocal.jar is missing under ${directory}; run \`npm install\` first.`);
  }
  const port = options.port ?? (await freePort());
  if (options.dataDirectory) mkdirSync(options.dataDirectory, { recursive: true });
  const storage = options.dataDirectory ? ['-dbPath', options.dataDirectory] : ['-inMemory'];
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
      ...launch(directory),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    // DynamoDB Local writes its metadata file in its working directory: never the checkout's root.
    { stdio: ['ignore', 'ignore', 'pipe'], cwd: options.dataDirectory ?? tmpdir() },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(endpoint, child, 30_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    endpoint,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
};
