import type { Actor } from '../domain/actor.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { notFound } from '../errors/app-error.ts';
import type { ReadingDependencies } from './use-case-dependencies.ts';

/**
 * A credential's recent records, newest first. Records outlive a deleted credential (until their
 * retention ends), so this reads the tenant's audit partition directly rather than the credential.
 */
export const credentialAudit = async (
  deps: ReadingDependencies,
  actor: Actor,
  input: { credentialId: string; limit: number; cursor?: string },
) => {
  if (!parseCredentialId(input.credentialId)) throw notFound('Credential');
  const page = await deps.credentials.listAudit(actor.tenantId, input.credentialId, input);
  return { items: page.items.map(({ tenantId: _tenant, ...record }) => record), nextCursor: page.nextCursor };
};
