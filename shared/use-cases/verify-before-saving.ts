import type { ComponentDefinition } from '../domain/component.ts';
import type { CredentialStatus } from '../domain/credential.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { AppError } from '../errors/app-error.ts';
import type { CredentialVerifier } from '../ports/credential-verifier.ts';

export interface VerifiedState {
  readonly status: CredentialStatus;
  readonly statusReason: string | null;
  readonly lastVerifiedAt: string | null;
}

/**
 * Runs the component's dry request. A failure stops the write before anything is stored, so there
 * is nothing to clean up; the 422 carries a structured reason and never the upstream body.
 */
export const verifyBeforeSaving = async (
  verifier: CredentialVerifier,
  component: ComponentDefinition,
  values: FieldValues,
  now: Date,
): Promise<VerifiedState> => {
  const result = await verifier.verify(component, values);
  if (result.outcome === 'verified') {
    return { status: 'verified', statusReason: null, lastVerifiedAt: now.toISOString() };
  }
  if (result.outcome === 'unverified') {
    return { status: 'unverified', statusReason: result.detail, lastVerifiedAt: null };
  }
  throw new AppError(
    'verification_failed',
    `The ${component.name} credential did not verify: ${result.detail}`,
    {
      extensions: {
        reason: result.reason,
        ...(result.upstreamStatus === undefined ? {} : { upstreamStatus: result.upstreamStatus }),
        ...(result.upstreamExcerpt === undefined ? {} : { upstreamExcerpt: result.upstreamExcerpt }),
      },
    },
  );
};
