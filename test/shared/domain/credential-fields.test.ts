import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPONENT_SETTINGS } from '../../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../../shared/components/index.ts';
import { mergeFieldChanges, validateFields } from '../../../shared/domain/credential-fields.ts';
import type { AppError } from '../../../shared/errors/app-error.ts';

const components = loadBundledComponents(DEFAULT_COMPONENT_SETTINGS);
const component = (id: string) => {
  const found = components.find((candidate) => candidate.id === id);
  if (!found) throw new Error(id);
  return found;
};

const issuesOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as AppError).issues;
  }
  throw new Error('expected a validation error');
};

describe('validateFields', () => {
  it('splits plain fields from secret fields', () => {
    const { plain, secret } = validateFields(component('postgresql'), {
      host: 'db.example.com',
      port: 5432,
      database: 'app',
      user: 'svc',
      password: 'pw',
    });
    expect(plain).toEqual({ host: 'db.example.com', port: 5432, database: 'app', user: 'svc' });
    expect(secret).toEqual({ password: 'pw' });
  });

  it('names every problem without echoing the values', () => {
    const issues = issuesOf(() =>
      validateFields(component('postgresql'), {
        host: 'not a host!',
        port: 70_000,
        database: 'app',
        password: 12,
        secretive: 'value-xyz',
      }),
    );
    expect(issues).toEqual([
      { path: 'fields.secretive', message: "is not a field of component 'postgresql'" },
      { path: 'fields.host', message: 'must be a host name or IPv4 address' },
      { path: 'fields.port', message: 'must be between 1 and 65535' },
      { path: 'fields.user', message: 'is required' },
      { path: 'fields.password', message: 'must be a string' },
    ]);
    expect(JSON.stringify(issues)).not.toContain('value-xyz');
  });

  it('accepts only http(s) URLs without embedded credentials and ISO date-times with a zone', () => {
    const base = { tokenUrl: 'https://idp.example.com/token', clientId: 'c', accessToken: 'a' };
    expect(() =>
      validateFields(component('oauth2'), { ...base, expiresAt: '2026-01-01T00:00:00Z' }),
    ).not.toThrow();
    expect(issuesOf(() => validateFields(component('oauth2'), { ...base, tokenUrl: 'ftp://x' }))).toEqual([
      { path: 'fields.tokenUrl', message: 'must be an http(s) URL' },
    ]);
    expect(
      issuesOf(() => validateFields(component('oauth2'), { ...base, tokenUrl: 'https://u:p@x.example' })),
    ).toEqual([{ path: 'fields.tokenUrl', message: 'must not embed credentials in the URL' }]);
    expect(
      issuesOf(() => validateFields(component('oauth2'), { ...base, expiresAt: '2026-01-01 00:00' })),
    ).toEqual([{ path: 'fields.expiresAt', message: 'must be an ISO 8601 date-time with a time zone' }]);
  });

  it('refuses secret fields that together exceed the Secrets Manager limit with 413', () => {
    const fields = {
      tokenUrl: 'https://x.example',
      clientId: 'c',
      accessToken: 'a'.repeat(32_000),
      refreshToken: 'r'.repeat(32_000),
      clientSecret: 's'.repeat(4000),
    };
    expect(() => validateFields(component('oauth2'), fields)).toThrow(
      expect.objectContaining({ code: 'payload_too_large' }),
    );
  });
});

describe('mergeFieldChanges', () => {
  it('keeps fields not sent, replaces sent ones and clears nulls', () => {
    expect(mergeFieldChanges({ a: 1, b: 'x', c: 'y' }, { b: 'z', c: null })).toEqual({ a: 1, b: 'z' });
  });
});
