import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * `refuse`: the connection drops before the request reaches AWS (nothing happened).
 * `drop`: the request is forwarded and applied, then the answer is lost (a timeout or partition
 * after the commit: the caller cannot know it succeeded).
 * `delay`: the answer comes late.
 */
export type FaultAction = 'refuse' | 'drop' | 'delay';

export interface FaultRule {
  /** The AWS operation, e.g. `TransactWriteItems` or `CreateSecret`. */
  readonly operation: string;
  readonly action: FaultAction;
  /** Which calls of the operation (1-based, counted from when the rule was set); all when absent. */
  readonly calls?: readonly number[];
  readonly delayMs?: number;
}

export interface FaultProxy {
  readonly url: string;
  /** Every operation that passed through, in order. */
  readonly operations: string[];
  setRule(rule: FaultRule | null): void;
  stop(): Promise<void>;
}

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * A proxy in front of DynamoDB Local or the Secrets Manager endpoint (both speak AWS JSON over
 * HTTP, named by `X-Amz-Target`) that injects faults per operation and call number: a test tool
 * for the outcomes only AWS's own failures produce.
 */
export const startFaultProxy = async (target: string): Promise<FaultProxy> => {
  const upstream = new URL(target);
  const operations: string[] = [];
  let rule: FaultRule | null = null;
  let seen = 0;

  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const operation =
      String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .pop() ?? '';
    operations.push(operation);
    let action: FaultAction | undefined;
    if (rule && rule.operation === operation) {
      seen++;
      if (!rule.calls || rule.calls.includes(seen)) action = rule.action;
    }
    if (action === 'refuse') {
      request.socket.destroy();
      return;
    }
    if (action === 'delay') await new Promise((resolve) => setTimeout(resolve, rule?.delayMs ?? 500));
    const forwarded = httpRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port,
        path: request.url,
        method: request.method,
        headers: { ...request.headers, host: upstream.host },
      },
      async (answer) => {
        const answerBody = await readBody(answer);
        if (action === 'drop') {
          request.socket.destroy();
          return;
        }
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        response.end(answerBody);
      },
    );
    forwarded.on('error', () => request.socket.destroy());
    forwarded.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    operations,
    setRule: (next) => {
      rule = next;
      seen = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
