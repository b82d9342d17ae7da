import type { Actor } from '../domain/actor.ts';
import type { Credential } from '../domain/credential.ts';
import { parseCredentialId } from '../domain/credential-id.ts';
import { notFound } from '../errors/app-error.ts';
import type { ReadingDependencies } from './use-case-dependencies.ts';

/**
 * Another tenant's id and an id that never existed answer the same 404: the lookup is keyed by the
 * caller's tenant, so the other tenant's item is simply not found. A malformed id costs no AWS call.
 */
export const getCredential = async (
  deps: ReadingDependencies,
  actor: Actor,
  credentialId: string,
): Promise<Credential> => {
  if (!parseCredentialId(credentialId)) throw notFound('Credential');
  const credential = await deps.credentials.get(actor.tenantId, credentialId);
  if (!credential) throw notFound('Credential');
  return credential;
};
