import { Agent, request as httpRequest } from 'node:http';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { startEmbeddedService } from '../local/embedded-service.ts';
import type { LambdaHttpHandler } from '../local/gateway.ts';
import { silentLogger } from '../shared/adapters/logging/json-logger.ts';

/** The service wired exactly as in the tests, on a fresh in-memory DynamoDB Local. */
export const startBenchStack = async () => {
  const dynamoDbLocal = await startDynamoDbLocal();
  // Verification runs for real, against the local Petstore (a loopback round trip per create).
  const service = await startEmbeddedService({
    dynamoDbEndpoint: dynamoDbLocal.endpoint,
    tablePrefix: 'bench',
    logger: silentLogger,
    petstoreAccepts: () => true,
  });
  const { issuer } = service;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    ...service,
    dynamoDbEndpoint: dynamoDbLocal.endpoint,
    /** The API Gateway v2 event the JWT authorizer would forward, for handler-only timings. */
    async httpEvent(method: string, path: string, pathParameters: Record<string, string>, token: string) {
      const claims = Object.fromEntries(
        Object.entries(await issuer.verify(token)).map(([k, v]) => [k, String(v)]),
      );
      return {
        version: '2.0',
        routeKey: `${method} ${path}`,
        rawPath: path,
        rawQueryString: '',
        headers: {},
        pathParameters,
        isBase64Encoded: false,
        requestContext: { http: { method, path }, authorizer: { jwt: { claims, scopes: [] } } },
      } as unknown as Parameters<LambdaHttpHandler>[0];
    },
    async api(
      method: string,
      path: string,
      token: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) {
      // A keep-alive node:http client: the lightest client, so the numbers are the server's.
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const request = httpRequest(
          `${service.url}${path}`,
          {
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
              ...headers,
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () =>
              resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
            );
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
      return { status, body: text ? JSON.parse(text) : null };
    },
    async stop() {
      agent.destroy();
      await service.stop();
      await dynamoDbLocal.stop();
    },
  };
};
export type BenchStack = Awaited<ReturnType<typeof startBenchStack>>;

export const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/** Runs the candidates in turn, sample by sample, so drift (JIT, GC, the emulator warming up) hits all alike. */
export const interleaved = async (runs: number, candidates: Record<string, () => Promise<unknown>>) => {
  const entries = Object.entries(candidates);
  for (let warm = 0; warm < 200; warm++) for (const [, run] of entries) await run();
  const samples = Object.fromEntries(entries.map(([name]) => [name, [] as number[]]));
  for (let index = 0; index < runs; index++) {
    for (const [name, run] of entries) {
      const start = performance.now();
      await run();
      samples[name]?.push(performance.now() - start);
    }
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  return Object.fromEntries(
    Object.entries(samples).map(([name, values]) => [
      name,
      { runs, medianMs: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)) },
    ]),
  );
};

export const timed = async (runs: number, run: () => Promise<unknown>) => {
  for (let warm = 0; warm < 20; warm++) await run();
  const samples: number[] = [];
  for (let index = 0; index < runs; index++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  const round = (value: number) => Math.round(value * 100) / 100;
  return { runs, medianMs: round(percentile(samples, 50)), p99Ms: round(percentile(samples, 99)) };
};
