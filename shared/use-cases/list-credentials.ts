import type { Actor } from '../domain/actor.ts';
import type { AttentionKind, Credential } from '../domain/credential.ts';
import type { Page } from '../ports/credential-repository.ts';
import type { ReadingDependencies } from './use-case-dependencies.ts';

export interface ListCredentialsInput {
  readonly componentId?: string;
  readonly name?: string;
  readonly status?: AttentionKind;
  readonly limit: number;
  readonly cursor?: string;
}

export const listCredentials = async (
  deps: ReadingDependencies<'components'>,
  actor: Actor,
  input: ListCredentialsInput,
): Promise<Page<Credential>> => {
  if (input.componentId !== undefined) deps.components.require(input.componentId);
  return deps.credentials.list(actor.tenantId, input);
};
