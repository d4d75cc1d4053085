// Stand-in for `k6/crypto` (see README.md here).
import { createHash, randomBytes as nodeRandom } from 'node:crypto';

export default {
  randomBytes(size: number): ArrayBuffer {
    const b = nodeRandom(size);
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
  },
  sha256(input: string, encoding: string): string {
    if (encoding !== 'base64rawurl') throw new Error(`stand-in k6/crypto: encoding ${encoding} not implemented`);
    return createHash('sha256').update(input, 'utf8').digest('base64url');
  },
};
