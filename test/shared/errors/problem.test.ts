import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors/app-error.ts';
import { toProblem } from '../../../shared/errors/problem.ts';

describe('toProblem', () => {
  it('maps a domain error to RFC 9457 members with its extensions', () => {
    const problem = toProblem(
      new AppError('credential_in_use', 'In use.', { extensions: { blockingFlows: [] } }),
    );
    expect(problem).toEqual({
      type: 'https://credentials-service.dev/problems/credential_in_use',
      title: 'Credential in use',
      status: 409,
      code: 'credential_in_use',
      detail: 'In use.',
      blockingFlows: [],
    });
  });

  it('hides everything about an unexpected error', () => {
    const problem = toProblem(new Error('ValidationException: secret=hunter2 in table credentials'));
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(problem.detail).toBe('The service could not complete the request. Try again later.');
  });

  it('does not let extensions override the standard members', () => {
    const problem = toProblem(new AppError('not_found', 'gone', { extensions: { status: 200, type: 'x' } }));
    expect(problem.status).toBe(404);
    expect(problem.type).toContain('not_found');
  });
});
