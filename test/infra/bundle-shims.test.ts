import { Readable } from 'node:stream';
import * as web from 'node:stream/web';
import { describe, expect, it } from 'vitest';
import { ReadableStream } from '../../infra/bundle-shims/stream-web.ts';
import { BUNDLE_ALIASES } from '../../infra/bundling.ts';

describe('bundle stand-ins', () => {
  it('answers instanceof ReadableStream as node:stream/web does', () => {
    const stream = new web.ReadableStream();
    expect(stream instanceof ReadableStream).toBe(true);
    expect(new Blob(['x']).stream() instanceof ReadableStream).toBe(true);
    for (const other of [Readable.from(['x']), {}, 'text', null, undefined, new web.WritableStream()]) {
      expect(other instanceof ReadableStream).toBe(false);
      expect(other instanceof web.ReadableStream).toBe(false);
    }
  });

  it('stands in only for what the stand-in provides', async () => {
    for (const [module, file] of Object.entries(BUNDLE_ALIASES)) {
      const real = (await import(module)) as Record<string, unknown>;
      const shim = (await import(file)) as Record<string, unknown>;
      // What the bundled code imports from the module (middy: ReadableStream) exists in both.
      for (const name of Object.keys(shim)) expect(real[name], `${module} exports ${name}`).toBeDefined();
    }
  });
});
