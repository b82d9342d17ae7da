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
  | { readonly outcome: 'verified' }
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

export interface CredentialVerifier {
  verify(component: ComponentDefinition, values: FieldValues): Promise<VerificationResult>;
}
