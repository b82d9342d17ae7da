import type { FieldValues } from '../domain/credential-fields.ts';

export interface SecretAddress {
  readonly tenantId: string;
  readonly credentialId: string;
}

export interface ManagedSecret {
  readonly address: SecretAddress;
  readonly createdAt: Date;
  readonly tags: Record<string, string>;
}

/** A listing position the store no longer accepts: start the listing over. */
export class StaleListingError extends Error {
  constructor() {
    super('The listing position is no longer valid.');
    this.name = 'StaleListingError';
  }
}

export interface SecretStore {
  /**
   * Creates the credential's one secret; returns its version id. Retried with the same
   * `requestToken`, a create whose answer was lost is a no-op that answers the same version.
   */
  create(address: SecretAddress, values: FieldValues, requestToken?: string): Promise<string>;
  /**
   * Writes a new version, which becomes AWSCURRENT; `requestToken` makes a retried write a no-op
   * (the same token with another value is refused). Returns the version id.
   */
  putVersion(address: SecretAddress, values: FieldValues, requestToken: string): Promise<string>;
  read(address: SecretAddress, versionId?: string): Promise<{ values: FieldValues; versionId: string }>;
  /** What the secret says about itself: its tags and whether it is scheduled for deletion; null if gone. */
  describe(
    address: SecretAddress,
  ): Promise<{ tags: Record<string, string>; deleted: boolean; versionIds: string[] } | null>;
  /** Cancels a scheduled deletion: the secret and its versions are live again. */
  restore(address: SecretAddress): Promise<void>;
  /** Schedules deletion with the deployment's recovery window; already scheduled or gone counts as done. */
  scheduleDeletion(address: SecretAddress): Promise<void>;
  /** For a secret that was never exposed (its item was never written): removed at once. */
  deleteNow(address: SecretAddress): Promise<void>;
  /**
   * One page of the live (not scheduled for deletion) secrets this service manages, of one tenant
   * or all: for the sweeper only. `nextToken` resumes a listing; an expired one throws
   * `StaleListingError`.
   */
  listManagedPage(
    tenantId: string | undefined,
    nextToken: string | undefined,
  ): Promise<{ entries: ManagedSecret[]; nextToken: string | undefined }>;
}
