import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors/app-error.ts';
import { assertScope, grantedScopes } from '../../../shared/lambda/scopes.ts';

describe('route scopes', () => {
  it('reads scope (space-separated) and scp (an array, or API Gateway’s "[a b]" string)', () => {
    expect([...grantedScopes({ scope: 'credentials:read flows:read' })]).toEqual([
      'credentials:read',
      'flows:read',
    ]);
    expect([...grantedScopes({ scp: '[audit:read credentials:write]' })]).toEqual([
      'audit:read',
      'credentials:write',
    ]);
  });

  it('needs the qualified scope when the deployment has a prefix (Cognito resource servers)', () => {
    const cognito = { scope: 'credentials-api/credentials:read' };
    expect(() => assertScope(cognito, 'credentials:read', 'credentials-api/')).not.toThrow();
    expect(() => assertScope(cognito, 'credentials:read')).toThrow(AppError);
    expect(() => assertScope({ scope: 'credentials:read' }, 'credentials:read', 'credentials-api/')).toThrow(
      /credentials-api\/credentials:read/,
    );
  });
});
