import type { Credential } from '../shared/domain/credential.ts';

/** A stored credential as the service would write it, for seeding benchmarks and tests through the repository or the item mapping. */
export const seededCredential = (
  credential: Pick<Credential, 'tenantId' | 'id' | 'componentId'> & Partial<Credential>,
): Credential => {
  const at = credential.createdAt ?? new Date().toISOString();
  return {
    name: null,
    fields: {},
    secretFieldsSet: ['apiKey'],
    secretVersionId: 'seeded',
    status: 'verified',
    statusReason: null,
    lastVerifiedAt: at,
    version: 1,
    activeFlowCount: 0,
    flowCount: 0,
    createdAt: at,
    updatedAt: at,
    createdBy: 'seed',
    updatedBy: 'seed',
    ...credential,
  };
};
