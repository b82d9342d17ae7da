import { describe, expect, it } from 'vitest';
import { consoleSignIn } from '../../infra/console-sign-in.ts';
import { grantedScopes } from '../../shared/lambda/scopes.ts';

const ALL = 'credentials:read credentials:write flows:read flows:write audit:read';

describe("the console's sign-in request, for the providers the docs show", () => {
  it('Cognito: scopes with the resource-server prefix, no audience, the client id in jwtAudience', () => {
    const signIn = consoleSignIn({
      jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      jwtAudience: ['3n4b5urk1ft4fl3mg5e62d9ado'],
      scopePrefix: 'credentials-api/',
      clientId: '3n4b5urk1ft4fl3mg5e62d9ado',
    });
    expect(signIn).toEqual({
      authority: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      clientId: '3n4b5urk1ft4fl3mg5e62d9ado',
      scope: `openid ${ALL.split(' ')
        .map((scope) => `credentials-api/${scope}`)
        .join(' ')}`,
    });
    // A token granted exactly that scope passes every route's check (with the same prefix).
    const granted = grantedScopes({ scope: signIn.scope });
    for (const scope of ALL.split(' ')) expect(granted.has(`credentials-api/${scope}`)).toBe(true);
    expect(() =>
      consoleSignIn({
        jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
        jwtAudience: ['another-client'],
        clientId: '3n4b5urk1ft4fl3mg5e62d9ado',
      }),
    ).toThrow(/jwtAudience must list the console's client id/);
  });

  it('Auth0 (the shipped acme example): the API identifier as audience, every scope', () => {
    const signIn = consoleSignIn({
      jwtIssuer: 'https://acme.eu.auth0.com/',
      jwtAudience: ['https://credentials.acme.example', 'acme-credentials-console'],
      clientId: 'acme-credentials-console',
      scope: `openid ${ALL}`,
    });
    expect(signIn).toEqual({
      authority: 'https://acme.eu.auth0.com/',
      clientId: 'acme-credentials-console',
      scope: `openid ${ALL}`,
      audience: 'https://credentials.acme.example',
    });
  });

  it('refuses what would sign in to a console that every route answers with 401 or 403', () => {
    // Only the client id as audience: the provider would issue an ID-token-audience token, no scopes.
    expect(() =>
      consoleSignIn({
        jwtIssuer: 'https://acme.eu.auth0.com/',
        jwtAudience: ['acme-console'],
        clientId: 'acme-console',
      }),
    ).toThrow(/console.audience must be one of jwtAudience/);
    // A scope that leaves out what the console's screens call.
    expect(() =>
      consoleSignIn({
        jwtIssuer: 'https://acme.eu.auth0.com/',
        jwtAudience: ['https://credentials.acme.example'],
        clientId: 'acme-console',
        scope: 'openid',
      }),
    ).toThrow(/missing: credentials:read/);
  });
});
