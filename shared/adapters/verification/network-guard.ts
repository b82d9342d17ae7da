import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Verification reaches hosts that users choose, from inside the tenant's network. Every
 * destination is resolved first and refused unless every address is public unicast; the connection
 * is then made to the vetted address (no second lookup a rebinding DNS server could answer
 * differently). ipaddr.js names the special ranges (IPv4-mapped, NAT64, 6to4, Teredo, site-local…),
 * so nothing here is a hand-kept list of ranges.
 */
const embedsIpv4 = (address: ipaddr.IPv6): boolean => {
  const parts = address.parts;
  // ::a.b.c.d, the deprecated IPv4-compatible form, which ipaddr.js reports as plain unicast.
  return parts.slice(0, 6).every((part) => part === 0);
};

export const isPublicAddress = (address: string): boolean => {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isPublicAddress(v6.toIPv4Address().toString());
    if (embedsIpv4(v6)) return false;
  }
  return parsed.range() === 'unicast';
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
  /**
   * `host:port` entries (`[v6]:port` for an IPv6 literal) allowed even when not public: a deployment
   * setting. A host alone never matches: an allowed database must not open every port of its host.
   */
  readonly allowedHosts: readonly string[];
}

/** `host:port` as an allow-list entry, with an IPv6 literal in brackets. */
export const allowListEntry = (host: string, port: number): string => {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return `${isIP(bare) === 6 ? `[${bare}]` : bare}:${port}`;
};

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** Resolves a host and returns one vetted address to connect to, or throws. */
export const vetDestination = async (
  host: string,
  port: number,
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
  if (policy.allowedHosts.includes(allowListEntry(bare, port))) return first;
  // All of them: a name that resolves to one public and one private address is refused.
  if (!addresses.every((candidate) => isPublicAddress(candidate.address)))
    throw new BlockedDestinationError(bare);
  return first;
};
