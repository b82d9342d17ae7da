import { describe, expect, it } from 'vitest';
import { fillTemplate, fillUrlTemplate } from '../../../../shared/adapters/verification/template.ts';
import {
  fromHttpStatus,
  sanitizedExcerpt,
} from '../../../../shared/adapters/verification/verification-outcomes.ts';

describe('sanitizedExcerpt', () => {
  it('keeps only the error members of a JSON body, masks secrets, drops control characters, cuts short', () => {
    const excerpt = sanitizedExcerpt(
      JSON.stringify({
        error: 'key sk-123456 is revoked\u0000',
        detail: 'sk-123456',
        message: 'x'.repeat(500),
      }),
      { apiKey: 'sk-123456' },
    );
    expect(excerpt).toMatch(/^error: key \*\*\* is revoked; message: x+/);
    expect(excerpt).not.toContain('sk-123456');
    expect(excerpt).not.toContain('\u0000');
    expect(excerpt?.length).toBeLessThanOrEqual(161);
  });

  it('never returns free text, only a JSON body', () => {
    expect(
      sanitizedExcerpt('<html>Authorization: Basic abc</html>', { password: 'pw-123456' }),
    ).toBeUndefined();
  });

  it('returns nothing for an empty body', () => {
    expect(sanitizedExcerpt('  \n ', {})).toBeUndefined();
  });
});

describe('fromHttpStatus', () => {
  it.each([
    [401, undefined, 'invalid_credentials'],
    [403, undefined, 'invalid_credentials'],
    [403, 'Bearer error="insufficient_scope"', 'insufficient_scope'],
    [429, undefined, 'rate_limited'],
    [500, undefined, 'upstream_error'],
    [404, undefined, 'upstream_error'],
  ])('%i %s → %s', (status, header, reason) => {
    expect(fromHttpStatus(status, header, undefined)).toMatchObject({
      outcome: 'failed',
      reason,
      upstreamStatus: status,
    });
  });
});

describe('request templates', () => {
  it('fills headers verbatim and encodes URL placeholders other than the base URL and paths', () => {
    expect(fillTemplate('Bearer {{token}}', { token: 'a b' })).toBe('Bearer a b');
    expect(
      fillUrlTemplate('{{baseUrl}}{{verifyPath}}?q={{query}}', {
        baseUrl: 'https://x.example/',
        verifyPath: '/me',
        query: 'a&b',
      }),
    ).toBe('https://x.example/me?q=a%26b');
  });
});
