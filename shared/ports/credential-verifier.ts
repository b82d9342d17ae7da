import type { ComponentDefinition } from '../domain/component.ts';
import type { FieldValues } from '../domain/credential-fields.ts';

export type VerificationFailureReason =
  | 'invalid_credentials'
  | 'insufficient_scope'
  | 'unreachable'
  | 'timeout'
  | 'rate_limited'
  | 'upstream_error'
  | 'blocked_destination';

export type VerificationResult =
  /**
   * `updatedValues`: verification changed the credential itself (an OAuth2 refresh issued new
   * tokens); these are the values to store.
   */
  | {
      readonly outcome: 'verified';
      readonly updatedValues?: FieldValues;
      /** Who the provider says the account is (userinfo's email or login), for a default name. */
      readonly accountName?: string;
    }
  /** The component has no way to verify; the credential is stored as `unverified`. */
  | { readonly outcome: 'unverified'; readonly detail: string }
  | {
      readonly outcome: 'failed';
      readonly reason: VerificationFailureReason;
      readonly detail: string;
      readonly upstreamStatus?: number;
      /** A short, sanitized excerpt of the upstream answer; never the whole body. */
      readonly upstreamExcerpt?: string;
    };

export interface VerifyOptions {
  /**
   * May verification present a refresh token (OAuth2)? Only one that was just entered: a stored
   * one belongs to the single-flight refresh, which alone may spend it.
   */
  readonly mayRefresh?: boolean;
}

export interface CredentialVerifier {
  verify(
    component: ComponentDefinition,
    values: FieldValues,
    options?: VerifyOptions,
  ): Promise<VerificationResult>;
}
