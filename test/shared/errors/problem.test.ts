import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors/app-error.ts';
import { toProblem } from '../../../shared/errors/problem.ts';
import { problemResponse } from '../../../shared/lambda/http-response.ts';

describe('toProblem', () => {
  it('maps a domain error to RFC 9457 members with its extensions', () => {
    const problem = toProblem(
      new AppError('credential_in_use', 'In use.', { extensions: { blockingFlows: [] } }),
    );
    expect(problem).toEqual({
      type: '/problems/credential_in_use',
      title: 'Credential in use',
      status: 409,
      code: 'credential_in_use',
      detail: 'In use.',
      errors: [],
      blockingFlows: [],
    });
  });

  it('makes the type URI absolute with the API origin when there is one', () => {
    const problem = toProblem(new AppError('not_found', 'gone'), 'https://api.example.com');
    expect(problem.type).toBe('https://api.example.com/problems/not_found');
    expect(problem.errors).toEqual([]);
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

  it.each([
    [
      'throttling',
      Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' }),
    ],
    ['a server fault', Object.assign(new Error('x'), { name: 'InternalServerError', $fault: 'server' })],
    ['a dropped connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['an SDK timeout', Object.assign(new Error('x'), { name: 'TimeoutError' })],
    [
      'a transaction cancelled for throughput',
      Object.assign(new Error('x'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }],
      }),
    ],
  ])('answers 503 upstream_unavailable for %s, never 500', (_what, error) => {
    const problem = toProblem(error);
    expect(problem).toMatchObject({ status: 503, code: 'upstream_unavailable' });
    expect(problemResponse(problem).headers).toMatchObject({ 'retry-after': '1' });
  });

  it('keeps a refused condition or a validation error a 500 (a bug, not a retry)', () => {
    expect(
      toProblem(
        Object.assign(new Error('x'), {
          name: 'TransactionCanceledException',
          CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
        }),
      ).status,
    ).toBe(500);
    expect(
      toProblem(Object.assign(new Error('x'), { name: 'ValidationException', $fault: 'client' })).status,
    ).toBe(500);
  });
});
