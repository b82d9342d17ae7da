import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCredentialId, parseCredentialId } from '../../../shared/domain/credential-id.ts';

describe('credential ids', () => {
  it('round-trips a ULID and a component id', () => {
    const id = formatCredentialId('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'http-basic');
    expect(parseCredentialId(id)).toEqual({ ulid: '01ARZ3NDEKTSV4RRFFQ69G5FAV', componentId: 'http-basic' });
  });

  it('rejects anything else without throwing', () => {
    for (const bad of [
      '',
      'x',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV.',
      '01ARZ3NDEKTSV4RRFFQ69G5FAU.Pet',
      '../01ARZ3NDEKTSV4RRFFQ69G5F.petstore',
    ]) {
      expect(parseCredentialId(bad)).toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), (value) => {
        const parsed = parseCredentialId(value);
        if (parsed) expect(formatCredentialId(parsed.ulid, parsed.componentId)).toBe(value);
      }),
    );
  });
});
