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
  /**
   * As DynamoDB does and DynamoDB Local does not: a TransactWriteItems that touches an item another
   * transaction in flight touches is cancelled with `TransactionConflict` on that item.
   */
  setTransactionConflicts(on: boolean): void;
  /** Transactions cancelled so, since the proxy started. */
  readonly conflicts: () => number;
  stop(): Promise<void>;
}

type TransactItem = Record<
  string,
  { TableName?: string; Key?: unknown; Item?: { PK?: unknown; SK?: unknown } }
>;
/** The items a TransactWriteItems body touches, each as one string (table and key). */
const touchedItems = (body: Buffer): string[] => {
  const parsed = JSON.parse(body.toString('utf8')) as { TransactItems?: TransactItem[] };
  return (parsed.TransactItems ?? []).map((entry) => {
    const action = Object.values(entry)[0] ?? {};
    const itemKey = action.Key ?? { PK: action.Item?.PK, SK: action.Item?.SK };
    return `${action.TableName ?? ''} ${JSON.stringify(itemKey)}`;
  });
};

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
  let conflictsOn = false;
  let conflicts = 0;
  /** Items of transactions forwarded and not yet answered. */
  const inFlight = new Map<string, number>();

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
    const touched = conflictsOn && operation === 'TransactWriteItems' ? touchedItems(body) : [];
    if (touched.some((item) => inFlight.has(item))) {
      conflicts++;
      const reasons = touched.map((item) =>
        inFlight.has(item)
          ? { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' }
          : { Code: 'None' },
      );
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
            .map((reason) => reason.Code)
            .join(', ')}]`,
          CancellationReasons: reasons,
        }),
      );
      return;
    }
    for (const item of touched) inFlight.set(item, (inFlight.get(item) ?? 0) + 1);
    const release = () => {
      for (const item of touched) {
        const left = (inFlight.get(item) ?? 1) - 1;
        if (left <= 0) inFlight.delete(item);
        else inFlight.set(item, left);
      }
    };
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
        release();
        if (action === 'drop') {
          request.socket.destroy();
          return;
        }
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        response.end(answerBody);
      },
    );
    forwarded.on('error', () => {
      release();
      request.socket.destroy();
    });
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
    setTransactionConflicts: (on) => {
      conflictsOn = on;
    },
    conflicts: () => conflicts,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
