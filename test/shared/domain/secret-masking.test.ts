import { describe, expect, it } from 'vitest';
import { secretMasker } from '../../../shared/domain/secret-masking.ts';

const key = 'k3y/With+Symbols=0099';
const masker = secretMasker({ apiKey: key }, { username: 'alice' });

describe('secretMasker: what the proxy hands back never reveals a secret it can recognise', () => {
  it('masks percent-encoding applied any number of times up to eight, in any case of hex', () => {
    let encoded = key;
    for (let depth = 1; depth <= 8; depth++) {
      encoded = encodeURIComponent(encoded);
      expect({ depth, masked: masker.text(`next=${encoded}`) }).toEqual({ depth, masked: 'next=***' });
      expect(masker.text(`next=${encoded.toLowerCase()}`)).not.toContain('With');
    }
  });

  it('masks base64 at every byte offset, and a Basic pair with its user', () => {
    for (const prefix of ['', 'a', 'ab', 'abc']) {
      const blob = Buffer.from(`${prefix}${key}tail`).toString('base64');
      expect(Buffer.from(masker.text(blob), 'base64').toString('latin1')).not.toContain(key);
    }
    expect(masker.text(`Basic ${Buffer.from(`alice:${key}`).toString('base64')}`)).toBe('Basic ***');
  });

  it('reads headers as one text: a key split across two is masked in both', () => {
    const half = key.length / 2;
    expect(
      masker.headers({
        'x-a': key.slice(0, Math.floor(half)),
        'x-b': key.slice(Math.floor(half)),
        'x-c': 'kept',
      }),
    ).toEqual({ 'x-a': '***', 'x-b': '***', 'x-c': 'kept' });
  });

  it('masks parsed JSON keys, values and numbers equal to a secret, and leaves the rest', () => {
    const pin = secretMasker({ pin: 739214 });
    expect(pin.json({ code: 739214, other: 12, nested: [{ '739214': 'x' }] })).toEqual({
      code: '***',
      other: 12,
      nested: [{ '***': 'x' }],
    });
  });

  it('replaces a text whole when it still reveals the secret once JSON escapes are undone', () => {
    const escaped = `{"k":"${key.replace(/\//g, '\\/')}"}`;
    expect(masker.text(escaped)).toBe('***');
    expect(masker.reveals('nothing to see')).toBe(false);
  });
});
