import type { FieldValues } from './credential-fields.ts';

export interface IssuedTokens {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly expiresAt?: string;
  readonly scope?: string;
}

/** An OAuth2 credential's fields after a refresh; a missing new refresh token keeps the old one. */
export const applyTokens = (values: FieldValues, tokens: IssuedTokens): FieldValues => ({
  ...values,
  accessToken: tokens.accessToken,
  ...(tokens.refreshToken === undefined ? {} : { refreshToken: tokens.refreshToken }),
  ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
  ...(tokens.scope === undefined ? {} : { scope: tokens.scope }),
});
