import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Verification reaches hosts that users choose, from inside the tenant's network. Every
 * destination is resolved first and refused unless every address is public; the connection is then
 * made to the vetted address (no second lookup a rebinding DNS server could answer differently).
 */
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, including the instance metadata service 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64 can reach IPv4 private space
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

export const isPublicAddress = (address: string): boolean => {
  const mapped = IPV4_MAPPED.exec(address)?.[1];
  if (mapped) return isPublicAddress(mapped);
  const family = isIP(address);
  if (family === 0) return false;
  return !nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

export class BlockedDestinationError extends Error {
  constructor(readonly host: string) {
    super(`Destination ${host} is not a public address.`);
    this.name = 'BlockedDestinationError';
  }
}

export class UnresolvableHostError extends Error {
  constructor(readonly host: string) {
    super(`Host ${host} could not be resolved.`);
    this.name = 'UnresolvableHostError';
  }
}

export interface NetworkPolicy {
  /** Lower-case host names (or literal addresses) allowed even when not public: a deployment setting. */
  readonly allowedHosts: readonly string[];
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves a host and returns one vetted address to connect to, or throws. */
export const vetDestination = async (
  host: string,
  policy: NetworkPolicy,
  resolve: Resolver = systemResolver,
): Promise<{ address: string; family: number }> => {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  let addresses: { address: string; family: number }[];
  if (isIP(bare)) {
    addresses = [{ address: bare, family: isIP(bare) }];
  } else {
    try {
      addresses = await resolve(bare);
    } catch {
      throw new UnresolvableHostError(bare);
    }
  }
  const first = addresses[0];
  if (!first) throw new UnresolvableHostError(bare);
  if (policy.allowedHosts.includes(bare)) return first;
  // All of them: a name that resolves to one public and one private address is refused.
  if (!addresses.every((candidate) => isPublicAddress(candidate.address)))
    throw new BlockedDestinationError(bare);
  return first;
};
