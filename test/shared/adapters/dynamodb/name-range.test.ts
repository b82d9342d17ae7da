import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldName, nameRange } from '../../../../shared/adapters/dynamodb/table-layout.ts';

/** DynamoDB compares string keys as UTF-8 bytes. */
const bytes = (text: string) => Buffer.from(text, 'utf8');
const inRange = (key: string, range: { from: string; to: string }) =>
  Buffer.compare(bytes(range.from), bytes(key)) <= 0 && Buffer.compare(bytes(key), bytes(range.to)) <= 0;

describe('the name index range for a search by the start of a name', () => {
  it('holds every folded name that starts with the folded prefix, and matches only those', () => {
    // Characters that fold on their own (no combining marks, which NFKC would join across the
    // prefix's end): case, full width, ß, İ, CJK, emoji, the ends of the surrogate gap and U+10FFFF.
    const character = fc.constantFrom(
      ...['a', 'Z', 'Ｏ', 'ｒ', 'ß', 'İ', '中', '😀', '\u{d7ff}', '\u{e000}', '\u{10ffff}', ' ', '#', '9'],
    );
    const text = (minLength: number) =>
      fc.array(character, { minLength, maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text(1), text(0), (prefix, rest) => {
        // A prefix of U+10FFFF alone has no successor: it finds only the names equal to it.
        fc.pre([...prefix].some((code) => code !== '\u{10ffff}'));
        const range = nameRange(prefix);
        const name = `${prefix}${rest}`;
        expect(inRange(foldName(name), range)).toBe(true);
        expect(range.matches(name)).toBe(true);
      }),
      { seed: 29, numRuns: 2000 },
    );
    expect(nameRange('ORD').matches('order')).toBe(true);
    expect(nameRange('ORD').matches('Billing')).toBe(false);
    expect(nameRange('ord').matches(null)).toBe(false);
  });

  it('folds case and width, and never builds a lone surrogate or an invalid code point', () => {
    expect(nameRange('ＯＲＤ').from).toBe('ord');
    expect(nameRange('a\u{d7ff}').to).toBe('a\u{e000}');
    expect(nameRange('a\u{10ffff}').to).toBe('b');
    expect(nameRange('\u{10ffff}').to).toBe('\u{10ffff}');
    for (const prefix of ['a\u{d7ff}', 'z\u{10ffff}', '😀'])
      expect(bytes(nameRange(prefix).to).toString('utf8')).toBe(nameRange(prefix).to);
  });
});
