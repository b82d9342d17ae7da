import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import type { CredentialVerifier } from '../../shared/ports/credential-verifier.ts';

/**
 * The attacker's listener: a TCP port that records every connection and every byte it receives.
 * If a stored secret ever reaches it, the bytes are here.
 */
export interface Listener {
  readonly url: string;
  readonly port: number;
  readonly received: string[];
  readonly connections: () => number;
  stop(): Promise<void>;
}

export const startListener = async (): Promise<Listener> => {
  const received: string[] = [];
  let connections = 0;
  const server: TcpServer = createTcpServer((socket) => {
    connections++;
    socket.on('data', (data) => {
      received.push(data.toString('latin1'));
      socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}');
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    connections: () => connections,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};

/** An upstream whose answers each test scripts from the request (e.g. echoing what it received). */
export const startScriptedUpstream = async (
  answer: (request: IncomingMessage, body: string) => { status: number; body: string; type?: string },
) => {
  const server: Server = createHttpServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const { status, body, type } = answer(request, Buffer.concat(chunks).toString('utf8'));
    response.writeHead(status, { 'content-type': type ?? 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

/**
 * A verifier that can be told to accept everything (to seed credentials whose real peers the test
 * does not run, such as a database) and otherwise runs the real one: the attack always meets the
 * real code.
 */
export const switchableVerifier = () => {
  let real: CredentialVerifier | undefined;
  let acceptAll = false;
  const verifier: CredentialVerifier = {
    verify: (component, values) =>
      acceptAll || !real ? Promise.resolve({ outcome: 'verified' }) : real.verify(component, values),
  };
  return {
    verifier,
    useReal: (value: CredentialVerifier) => {
      real = value;
    },
    acceptEverything: (value: boolean) => {
      acceptAll = value;
    },
  };
};
