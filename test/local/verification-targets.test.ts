import { describe, expect, it } from 'vitest';
import { localVerificationTargets } from '../../local/verification-targets.ts';

describe('npm start: what verification may reach on loopback', () => {
  it("adds the demo servers to the person's own VERIFICATION_ALLOWED_HOSTS instead of replacing them", () => {
    expect(
      localVerificationTargets(
        ' 127.0.0.1:9000 , localhost:9000',
        'http://127.0.0.1:4010',
        'http://127.0.0.1:4011',
      ),
    ).toBe('127.0.0.1:9000,localhost:9000,127.0.0.1:4010,localhost:4010,127.0.0.1:4011,localhost:4011');
    expect(localVerificationTargets(undefined, 'http://127.0.0.1:4010')).toBe(
      '127.0.0.1:4010,localhost:4010',
    );
  });
});
