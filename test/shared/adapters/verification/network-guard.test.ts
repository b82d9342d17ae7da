import { describe, expect, it } from 'vitest';
import {
  BlockedDestinationError,
  isPublicAddress,
  UnresolvableHostError,
  vetDestination,
} from '../../../../shared/adapters/verification/network-guard.ts';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'allows %s',
    (address) => {
      expect(isPublicAddress(address)).toBe(true);
    },
  );
});

describe('vetDestination', () => {
  const resolveTo =
    (...addresses: string[]) =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('refuses a name that resolves to a private address, or to a mix', async () => {
    await expect(
      vetDestination('internal.example', 443, { allowedHosts: [] }, resolveTo('10.0.0.5')),
    ).rejects.toBeInstanceOf(BlockedDestinationError);
    await expect(
      vetDestination('mixed.example', 443, { allowedHosts: [] }, resolveTo('8.8.8.8', '127.0.0.1')),
    ).rejects.toBeInstanceOf(BlockedDestinationError);
    await expect(vetDestination('169.254.169.254', 80, { allowedHosts: [] })).rejects.toBeInstanceOf(
      BlockedDestinationError,
    );
    await expect(vetDestination('[::1]', 80, { allowedHosts: [] })).rejects.toBeInstanceOf(
      BlockedDestinationError,
    );
  });

  it('returns the vetted address for public names and for allow-listed hosts', async () => {
    expect(
      await vetDestination('api.example', 443, { allowedHosts: [] }, resolveTo('93.184.216.34')),
    ).toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    expect(await vetDestination('127.0.0.1', 8080, { allowedHosts: ['127.0.0.1:8080'] })).toEqual({
      address: '127.0.0.1',
      family: 4,
    });
  });

  it('matches an allow-list entry on host and port, never on the host alone', async () => {
    await expect(
      vetDestination('127.0.0.1', 8000, { allowedHosts: ['127.0.0.1:8080'] }),
    ).rejects.toBeInstanceOf(BlockedDestinationError);
    await expect(vetDestination('127.0.0.1', 8080, { allowedHosts: ['127.0.0.1'] })).rejects.toBeInstanceOf(
      BlockedDestinationError,
    );
    expect(await vetDestination('[::1]', 5432, { allowedHosts: ['[::1]:5432'] })).toEqual({
      address: '::1',
      family: 6,
    });
  });

  it('reports names that do not resolve', async () => {
    const failing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(vetDestination('nope.invalid', 443, { allowedHosts: [] }, failing)).rejects.toBeInstanceOf(
      UnresolvableHostError,
    );
  });
});
