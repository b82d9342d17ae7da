import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  SecretsManagerError,
  type SecretsManagerSnapshot,
  SecretsManagerState,
  type StoredSecret,
} from './secrets-manager-state.ts';

export interface LocalSecretsManager {
  readonly endpoint: string;
  readonly state: SecretsManagerState;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * State on disk: a snapshot plus an append-only log of changed secrets (one line per secret a
 * request changed). A change costs one small append, whatever the number of secrets; the log is
 * folded into the snapshot at start-up.
 */
const openStore = (
  persistPath: string | undefined,
  region: string | undefined,
  now: (() => number) | undefined,
) => {
  if (!persistPath)
    return { state: new SecretsManagerState(region, undefined, undefined, now), record: () => {} };
  const logPath = `${persistPath}.log`;
  const snapshot = existsSync(persistPath)
    ? (JSON.parse(readFileSync(persistPath, 'utf8')) as SecretsManagerSnapshot)
    : undefined;
  const state = new SecretsManagerState(region, undefined, snapshot);
  if (existsSync(logPath)) {
    for (const line of readFileSync(logPath, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const { name, secret } = JSON.parse(line) as { name: string; secret: StoredSecret | null };
        state.restore(name, secret);
      } catch {
        // A line torn by a crash mid-append: everything before it stands.
      }
    }
  }
  mkdirSync(dirname(persistPath), { recursive: true });
  const temporary = `${persistPath}.tmp`;
  writeFileSync(temporary, JSON.stringify(state.snapshot()), { mode: 0o600 });
  renameSync(temporary, persistPath);
  rmSync(logPath, { force: true });
  return {
    state,
    record: (names: Iterable<string>) => {
      const lines = [...names].map((name) => JSON.stringify({ name, secret: state.entry(name) }));
      if (lines.length > 0) appendFileSync(logPath, `${lines.join('\n')}\n`, { mode: 0o600 });
    },
  };
};

/**
 * Serves the AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`) on
 * loopback, so the real `@aws-sdk/client-secrets-manager` client talks to it given `endpoint`.
 * With `persistPath`, state survives restarts.
 */
export const startLocalSecretsManager = async (
  options: {
    port?: number;
    persistPath?: string;
    region?: string;
    /** Its clock, in epoch seconds: a benchmark simulates days of writes against AWS's rules. */
    now?: () => number;
  } = {},
): Promise<LocalSecretsManager> => {
  const { state, record } = openStore(options.persistPath, options.region, options.now);

  const server: Server = createServer(async (request, response) => {
    const reply = (status: number, body: unknown, errorType?: string) => {
      response.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': crypto.randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      response.end(JSON.stringify(body));
    };
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || !target.startsWith('secretsmanager.')) {
      reply(
        400,
        { __type: 'UnknownOperationException', message: 'Expected a Secrets Manager JSON 1.1 request.' },
        'UnknownOperationException',
      );
      return;
    }
    const operation = target.slice('secretsmanager.'.length);
    try {
      const body = await readBody(request);
      let parsed: unknown = {};
      try {
        parsed = body ? JSON.parse(body) : {};
      } catch {
        throw new SecretsManagerError('SerializationException', 'The request body is not valid JSON.');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new SecretsManagerError('SerializationException', 'The request body must be a JSON object.');
      const result = state.handle(operation, parsed as Record<string, unknown>);
      record(state.changed);
      reply(200, result);
    } catch (error) {
      record(state.changed);
      if (error instanceof SecretsManagerError) {
        reply(400, { __type: error.type, message: error.message }, error.type);
      } else {
        reply(
          500,
          { __type: 'InternalServiceError', message: 'Local endpoint failure.' },
          'InternalServiceError',
        );
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    state,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
