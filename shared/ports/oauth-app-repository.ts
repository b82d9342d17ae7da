import type { OAuthApp } from '../domain/oauth-app.ts';

export interface OAuthAppRepository {
  get(tenantId: string, componentId: string): Promise<OAuthApp | null>;
  /** Every app of the tenant: one Query on a key range. */
  list(tenantId: string): Promise<OAuthApp[]>;
  /**
   * Creates (`previousVersion` undefined: only if none exists) or replaces the app at exactly
   * `previousVersion`; a lost race is `version_mismatch`.
   */
  put(app: OAuthApp, previousVersion: number | undefined): Promise<OAuthApp>;
  /**
   * Deletes the app only while no credential of its component exists and its version is one of
   * `acceptedVersions` (when given). Refused: `oauth_app_in_use` with the count, or
   * `version_mismatch`, or `not_found`.
   */
  delete(tenantId: string, componentId: string, acceptedVersions?: readonly number[]): Promise<void>;
}
