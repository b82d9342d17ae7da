import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import {
  SecretsManagerError,
  type SecretsManagerSnapshot,
  SecretsManagerState,
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
 * Serves the AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target: secretsmanager.<Operation>`) on
 * loopback, so the real `@aws-sdk/client-secrets-manager` client talks to it given `endpoint`.
 * With `persistPath`, state survives restarts (written after every change).
 */
export const startLocalSecretsManager = async (
  options: { port?: number; persistPath?: string; region?: string } = {},
): Promise<LocalSecretsManager> => {
  const snapshot =
    options.persistPath && existsSync(options.persistPath)
      ? (JSON.parse(readFileSync(options.persistPath, 'utf8')) as SecretsManagerSnapshot)
      : undefined;
  const state = new SecretsManagerState(options.region, undefined, snapshot);
  const persist = () => {
    if (!options.persistPath) return;
    mkdirSync(dirname(options.persistPath), { recursive: true });
    const temporary = `${options.persistPath}.tmp`;
    writeFileSync(temporary, JSON.stringify(state.snapshot()), { mode: 0o600 });
    renameSync(temporary, options.persistPath);
  };

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
      const result = state.handle(operation, body ? (JSON.parse(body) as Record<string, unknown>) : {});
      if (!['GetSecretValue', 'DescribeSecret', 'ListSecrets'].includes(operation)) persist();
      reply(200, result);
    } catch (error) {
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
