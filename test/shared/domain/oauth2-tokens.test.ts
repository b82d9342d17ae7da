import { describe, expect, it } from 'vitest';
import {
  applyTokens,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  interpretTokenResponse,
} from '../../../shared/domain/oauth2-tokens.ts';

const now = new Date('2026-06-01T00:00:00.000Z');
const expiresInSeconds = (answer: ReturnType<typeof interpretTokenResponse>) =>
  answer.kind === 'tokens' ? (Date.parse(answer.tokens.expiresAt ?? '') - now.getTime()) / 1000 : Number.NaN;

describe('interpretTokenResponse: total, whatever the provider sends', () => {
  it.each([
    ['1e13', 365 * 86_400],
    // 0 or less: the provider says the token is already expired.
    [0, 0],
    [-30, 0],
    ['abc', DEFAULT_TOKEN_LIFETIME_SECONDS],
    [undefined, DEFAULT_TOKEN_LIFETIME_SECONDS],
    [10, 10],
    [59.9, 59],
    ['3600', 3600],
  ])('reads expires_in %s as %i seconds', (expiresIn, seconds) => {
    const answer = interpretTokenResponse(
      200,
      JSON.stringify({ access_token: 'at', expires_in: expiresIn }),
      now,
    );
    expect(expiresInSeconds(answer)).toBe(seconds);
  });

  it('reads a truncated body, an empty access token or a non-object as unusable, never throwing', () => {
    for (const body of ['{"access_token":"at', '{"access_token":""}', '[1]', 'null', ''])
      expect(interpretTokenResponse(200, body, now)).toEqual({ kind: 'unusable' });
  });

  it('keeps only the RFC 6749 error codes, never the provider free text', () => {
    expect(interpretTokenResponse(400, '{"error":"invalid_grant"}', now)).toEqual({
      kind: 'refused',
      error: 'invalid_grant',
    });
    expect(interpretTokenResponse(400, '{"error":"rt-echoed-secret-123"}', now)).toEqual({
      kind: 'refused',
      error: 'token_endpoint_error',
    });
    expect(interpretTokenResponse(503, 'busy', now)).toEqual({ kind: 'unavailable', status: 503 });
    expect(interpretTokenResponse(429, '{"error":"slow_down"}', now)).toEqual({
      kind: 'unavailable',
      status: 429,
    });
  });
});

describe('the API base a provider answers with the token', () => {
  const answer = (body: Record<string, unknown>) =>
    interpretTokenResponse(
      200,
      JSON.stringify({ access_token: 'at', ...body }),
      new Date('2026-12-01T00:00:00Z'),
    );

  it('is kept as instanceUrl by a component that declares it (Salesforce), and only a plain https origin', () => {
    const salesforce = { fields: [{ name: 'accessToken' }, { name: 'instanceUrl' }] };
    const issued = answer({ instance_url: 'https://acme.my.salesforce.com/' });
    expect(issued.kind === 'tokens' && applyTokens({}, issued.tokens, salesforce).instanceUrl).toBe(
      'https://acme.my.salesforce.com',
    );
    for (const instance_url of [
      'http://acme.my.salesforce.com',
      'https://user@evil.example',
      'https://x.example/path',
      7,
    ]) {
      const refused = answer({ instance_url });
      expect(
        refused.kind === 'tokens' && applyTokens({}, refused.tokens, salesforce).instanceUrl,
      ).toBeUndefined();
    }
  });

  it('is dropped by a component without the field, so its fields stay valid', () => {
    const issued = answer({ instance_url: 'https://acme.my.salesforce.com' });
    expect(issued.kind === 'tokens' && 'instanceUrl' in applyTokens({}, issued.tokens, { fields: [] })).toBe(
      false,
    );
  });
});

describe('the refresh token’s own lifetime (refresh_token_expires_in)', () => {
  const withField = { fields: [{ name: 'refreshTokenExpiresAt' }] };
  const answer = (body: Record<string, unknown>) => {
    const read = interpretTokenResponse(200, JSON.stringify({ access_token: 'at', ...body }), now);
    if (read.kind !== 'tokens') throw new Error(read.kind);
    return read.tokens;
  };

  it('is kept as refreshTokenExpiresAt by a component that declares it, with the refresh token only', () => {
    const tokens = answer({ refresh_token: 'rt', refresh_token_expires_in: 15_897_600 });
    expect(applyTokens({}, tokens, withField).refreshTokenExpiresAt).toBe('2026-12-02T00:00:00.000Z');
    expect(applyTokens({}, tokens, { fields: [] })).not.toHaveProperty('refreshTokenExpiresAt');
    expect(answer({ refresh_token_expires_in: 600 })).not.toHaveProperty('refreshTokenExpiresAt');
  });

  it.each([0, -5, 'soon', null])('says nothing for a lifetime of %s', (lifetime) => {
    expect(answer({ refresh_token: 'rt', refresh_token_expires_in: lifetime })).not.toHaveProperty(
      'refreshTokenExpiresAt',
    );
  });

  it('is dropped when a new refresh token comes without one, and kept when the old token stays', () => {
    const before = { refreshToken: 'old', refreshTokenExpiresAt: '2026-07-01T00:00:00.000Z' };
    expect(applyTokens(before, answer({ refresh_token: 'new' }), withField)).not.toHaveProperty(
      'refreshTokenExpiresAt',
    );
    expect(applyTokens(before, answer({}), withField).refreshTokenExpiresAt).toBe(
      before.refreshTokenExpiresAt,
    );
  });
});
