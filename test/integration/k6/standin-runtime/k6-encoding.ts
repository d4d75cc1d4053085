// Stand-in for `k6/encoding` (see README.md here): 'rawurl' = base64url without padding.
export default {
  b64encode(input: ArrayBuffer | string, variant?: string): string {
    const buf = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
    return variant === 'rawurl' ? buf.toString('base64url') : buf.toString('base64');
  },
  b64decode(input: string, variant?: string, format?: string): string | ArrayBuffer {
    const buf = Buffer.from(input, variant === 'rawurl' ? 'base64url' : 'base64');
    return format === 's' ? buf.toString('utf8') : (buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
  },
};
