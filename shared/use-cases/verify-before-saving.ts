import type { ComponentDefinition } from '../domain/component.ts';
import type { CredentialStatus } from '../domain/credential.ts';
import { type FieldValues, type SplitFields, validateFields } from '../domain/credential-fields.ts';
import { AppError } from '../errors/app-error.ts';
import type {
  CredentialVerifier,
  VerificationFailureReason,
  VerificationResult,
  VerifyOptions,
} from '../ports/credential-verifier.ts';

export interface VerifiedState {
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly lastVerifiedAt: string | null;
}

/** Health recorded on a stored credential: could not prove it works ≠ proved it does not. */
export const statusFor = (reason: VerificationFailureReason): CredentialStatus =>
  reason === 'invalid_credentials' || reason === 'insufficient_scope' ? 'invalid' : 'unreachable';

export const stateOf = (result: VerificationResult, now: Date): VerifiedState => {
  if (result.outcome === 'verified')
    return { status: 'verified', statusReason: null, lastVerifiedAt: now.toISOString() };
  if (result.outcome === 'unverified')
    return { status: 'unverified', statusReason: result.detail, lastVerifiedAt: null };
  return {
    status: statusFor(result.reason),
    statusReason: `${result.reason}: ${result.detail}`,
    lastVerifiedAt: now.toISOString(),
  };
};

export const verificationFailed = (
  component: ComponentDefinition,
  result: Extract<VerificationResult, { outcome: 'failed' }>,
) =>
  new AppError('verification_failed', `The ${component.name} credential did not verify: ${result.detail}`, {
    extensions: {
      reason: result.reason,
      ...(result.upstreamStatus === undefined ? {} : { upstreamStatus: result.upstreamStatus }),
      ...(result.upstreamExcerpt === undefined ? {} : { upstreamExcerpt: result.upstreamExcerpt }),
    },
  });

/**
 * Runs the component's dry request. A failure stops the write before anything is stored, so there
 * is nothing to clean up; the 422 carries a structured reason and never the upstream body. When
 * verification itself renewed the credential (an OAuth2 refresh), the renewed fields are returned.
 */
export const verifyBeforeSaving = async (
  verifier: CredentialVerifier,
  component: ComponentDefinition,
  fields: SplitFields,
  now: Date,
  options: VerifyOptions = {},
): Promise<{ state: VerifiedState; fields: SplitFields; accountName?: string }> => {
  const values: FieldValues = { ...fields.plain, ...fields.secret };
  const result = await verifier.verify(component, values, options);
  if (result.outcome === 'failed') throw verificationFailed(component, result);
  const renewed =
    result.outcome === 'verified' && result.updatedValues
      ? validateFields(component, result.updatedValues)
      : fields;
  return {
    state: stateOf(result, now),
    fields: renewed,
    ...(result.outcome === 'verified' && result.accountName ? { accountName: result.accountName } : {}),
  };
};
