import type { SecretAddress } from '../../ports/secret-store.ts';

/**
 * The one place that names secrets: `<prefix>/<tenant>/<credentialId>`, built from server-generated
 * ids only, never from user input. IAM grants `secret:<prefix>/<tenant>/*`, so a function of one
 * tenant cannot reach another tenant's secrets.
 */
export const secretName = (prefix: string, address: SecretAddress): string =>
  `${prefix}/${address.tenantId}/${address.credentialId}`;

export const secretTags = (address: SecretAddress) => [
  { Key: 'tenant', Value: address.tenantId },
  { Key: 'credentialId', Value: address.credentialId },
  { Key: 'managedBy', Value: 'credentials-service' },
];

export const parseSecretName = (prefix: string, name: string): SecretAddress | null => {
  const parts = name.split('/');
  if (parts.length !== 3 || parts[0] !== prefix || !parts[1] || !parts[2]) return null;
  return { tenantId: parts[1], credentialId: parts[2] };
};
