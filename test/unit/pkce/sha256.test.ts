import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256Into } from '../../../src/pkce/sha256.ts';

function jsSha256(bytes: Uint8Array, offset = 0, len = bytes.length - offset): string {
  const out = Buffer.alloc(40, 0xee);
  sha256Into(bytes, offset, len, out, 4);
  // Must not write outside its 32-byte slot.
  expect(out.subarray(0, 4).every((b) => b === 0xee)).toBe(true);
  expect(out.subarray(36).every((b) => b === 0xee)).toBe(true);
  return out.subarray(4, 36).toString('hex');
}

const reference = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256Into', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(jsSha256(Buffer.from(''))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(jsSha256(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(jsSha256(Buffer.from('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('equals node:crypto for every length 0..300 at every block boundary', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) & 0xff));
    for (let len = 0; len <= 300; len++) expect(jsSha256(data.subarray(0, len)), `len ${len}`).toBe(reference(data.subarray(0, len)));
  });

  it('equals node:crypto on arbitrary bytes at arbitrary offsets (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: 16 }), (bytes, pad) => {
        const buf = Buffer.concat([Buffer.alloc(pad, 0x55), bytes]);
        expect(jsSha256(buf, pad, bytes.length)).toBe(reference(bytes));
      }),
      { numRuns: 2000 },
    );
  });
});
