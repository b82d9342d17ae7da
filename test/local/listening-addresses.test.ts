import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';

/**
 * The local addresses of listening TCP sockets on a port, from the kernel's own table (Linux):
 * no traffic to any address is needed to see where a server listens.
 */
const listeningAddresses = (port: number): string[] =>
  ['/proc/net/tcp', '/proc/net/tcp6']
    .filter((file) => existsSync(file))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.trim().split(/\s+/))
        // local_address is HEXADDR:HEXPORT; state 0A is LISTEN.
        .filter(
          (columns) => columns[3] === '0A' && Number.parseInt(columns[1]?.split(':')[1] ?? '', 16) === port,
        )
        .map((columns) => columns[1]?.split(':')[0] ?? ''),
    );

/** 127.0.0.1 as the kernel prints it (little-endian), alone or IPv4-mapped in IPv6. */
const LOOPBACK = new Set([
  '0100007F',
  '0000000000000000FFFF00000100007F',
  '00000000000000000000000001000000',
]);

describe('local services listen on loopback only', () => {
  it.skipIf(!existsSync('/proc/net/tcp'))(
    'DynamoDB Local (started for this run) binds 127.0.0.1, not every interface',
    () => {
      const port = Number(new URL(inject('dynamoDbEndpoint')).port);
      const addresses = listeningAddresses(port);
      expect(addresses.length).toBeGreaterThan(0);
      expect(addresses.filter((address) => !LOOPBACK.has(address))).toEqual([]);
    },
  );
});
