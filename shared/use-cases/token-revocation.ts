import type { ComponentDefinition } from '../domain/component.ts';
import type { FieldValues } from '../domain/credential-fields.ts';
import { REVOCATION_TIMEOUT_MS } from '../domain/refresh-timing.ts';
import { describeError } from '../errors/describe-error.ts';
import { isTransientFailure } from '../errors/transient-failure.ts';
import { providerTokenClient } from './oauth-apps.ts';
import type { UseCaseDependencies } from './use-case-dependencies.ts';

type RevocationDependencies = Pick<UseCaseDependencies, 'oauthApps' | 'secrets' | 'tokens' | 'logger'>;

/** The token the service stopped using: the refresh token if it changed, else the access token. */
const replacedToken = (replaced: FieldValues, kept: FieldValues) => {
  if (typeof replaced.refreshToken === 'string' && replaced.refreshToken !== kept.refreshToken)
    return { value: replaced.refreshToken, hint: 'refresh_token' as const };
  if (typeof replaced.accessToken === 'string' && replaced.accessToken !== kept.accessToken)
    return { value: replaced.accessToken, hint: 'access_token' as const };
  return undefined;
};

/**
 * Revokes at the provider (RFC 7009) what a re-connect, an edit or a delete left unused, when the
 * component's descriptor names a revocation endpoint on its token endpoint's origin (so a token
 * only ever goes back to the server that issued it). The provider's failures are best effort:
 * retried, logged, never thrown, so a person's action never fails because of the provider. Our own
 * storage's failures (reading the OAuth app) are logged too, unless `storageFailures` is `throw`:
 * the purger then keeps the record to try again, rather than delete the secret and lose the token.
 */
export const revokeReplacedTokens = async (
  deps: RevocationDependencies,
  tenantId: string,
  component: ComponentDefinition,
  replaced: FieldValues,
  kept: FieldValues = {},
  options: { attempts?: number; storageFailures?: 'log' | 'throw' } = {},
): Promise<void> => {
  const { attempts = 3, storageFailures = 'log' } = options;
  const revocationUrl = component.provider?.revocationUrl;
  if (!revocationUrl || new URL(revocationUrl).origin !== new URL(component.provider.tokenUrl).origin) return;
  const token = replacedToken(replaced, kept);
  if (!token) return;
  const failed = (error?: unknown) =>
    deps.logger.warn('token revocation failed', {
      componentId: component.id,
      hint: token.hint,
      ...(error === undefined ? {} : describeError(error)),
    });
  let client: Awaited<ReturnType<typeof providerTokenClient>>;
  try {
    client = await providerTokenClient(deps, tenantId, component);
  } catch (error) {
    // No OAuth app any more: nothing to revoke with, whatever is tried.
    if (storageFailures === 'throw' && isTransientFailure(error)) throw error;
    failed(error);
    return;
  }
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (await deps.tokens.revoke({ ...client, revocationUrl }, token, REVOCATION_TIMEOUT_MS)) return;
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
    failed();
  } catch (error) {
    failed(error);
  }
};
