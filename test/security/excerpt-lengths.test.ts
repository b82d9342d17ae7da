import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sanitizedExcerpt } from '../../shared/adapters/verification/upstream-excerpt.ts';

/** Every shape an upstream might echo a key in, as a member of its JSON error body. */
const echoForms = (secret: string, user: string): Record<string, string> => ({
  raw: secret,
  prefixed: `bad key ${secret}`,
  base64: Buffer.from(secret).toString('base64'),
  base64url: Buffer.from(secret).toString('base64url'),
  hex: Buffer.from(secret).toString('hex'),
  urlEncoded: encodeURIComponent(secret),
  basic: `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`,
  upperCased: secret.toUpperCase(),
  reversed: [...secret].reverse().join(''),
  spaced: [...secret].join(' '),
});

/** Every window of `size` characters of each encoding of the secret: none may reach the caller. */
const fragments = (secret: string, user: string, size = 8): string[] =>
  Object.entries(echoForms(secret, user))
    .map(([name, form]) =>
      name === 'prefixed'
        ? secret
        : name === 'basic'
          ? Buffer.from(`${user}:${secret}`).toString('base64')
          : form,
    )
    .filter((form) => form.length >= size)
    .flatMap((form) =>
      Array.from({ length: form.length - size + 1 }, (_, index) => form.slice(index, index + size)),
    );

describe('the verification excerpt never shows a fragment of a secret, whatever its length', () => {
  const lengths = [8, 12, 40, 84, 99, 100, 101, 124, 159, 160, 161, 250, 512, 1000, 2048, 4096];
  it.each(lengths)('a %i-character key, echoed in every form and member', (length) => {
    const secret = randomBytes(length).toString('base64url').slice(0, length);
    const user = 'svc-user';
    let shown = 0;
    for (const [form, echoed] of Object.entries(echoForms(secret, user))) {
      for (const member of ['message', 'error', 'error_description', 'code']) {
        const excerpt = sanitizedExcerpt(JSON.stringify({ [member]: echoed }), { apiKey: secret }, { user });
        if (excerpt === undefined) continue;
        shown++;
        const leaked = fragments(secret, user).filter((fragment) => excerpt.includes(fragment));
        expect(leaked, `${form} in ${member}: ${excerpt}`).toEqual([]);
      }
    }
    // Masking, not silence, is what keeps most of them: the raw and encoded echoes still explain.
    expect(shown).toBeGreaterThan(0);
  });
});
