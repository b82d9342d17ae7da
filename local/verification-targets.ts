import { allowListEntry } from '../shared/adapters/verification/network-guard.ts';

/**
 * What verification may reach on loopback under `npm start`: the hosts the person set in
 * `VERIFICATION_ALLOWED_HOSTS` (their own API or provider), plus the demo servers on both of
 * loopback's names.
 */
export const localVerificationTargets = (configured: string | undefined, ...baseUrls: string[]): string =>
  [
    ...(configured ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
    ...baseUrls.flatMap((baseUrl) => {
      const port = Number(new URL(baseUrl).port);
      return [allowListEntry('127.0.0.1', port), allowListEntry('localhost', port)];
    }),
  ].join(',');
