/**
 * Reads a k6 `--out json` file (plain or gzip) as lines, with caps: k6 output is untrusted input
 * (it may come from another machine), so one line and the whole decompressed stream are bounded —
 * a gzip bomb or a file without newlines stops at the cap instead of filling memory.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { TokenstormError } from '../errors.ts';

/** Caps for {@link readJsonLines}. */
export interface LineCaps {
  /** Longest line accepted (k6 lines are a few hundred bytes). Default 64 KiB. */
  maxLineBytes?: number;
  /** Most decompressed bytes read from one file. Default 4 GiB. */
  maxTotalBytes?: number;
}

async function isGzip(path: string): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(path, 'r');
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TokenstormError('ERR_USAGE', `cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`, { cause: err });
  } finally {
    await fh?.close();
  }
}

/**
 * Yields each non-empty line of `path` (gzip detected by its magic bytes, not its name).
 * Throws ERR_REPORT_INVALID when a cap is exceeded or the gzip stream is damaged.
 *
 * @example
 * for await (const line of readJsonLines('k6-out.json.gz')) handle(JSON.parse(line));
 */
export async function* readJsonLines(path: string, caps: LineCaps = {}): AsyncGenerator<string> {
  const maxLine = caps.maxLineBytes ?? 64 * 1024;
  const maxTotal = caps.maxTotalBytes ?? 4 * 1024 ** 3;
  const gz = await isGzip(path);
  const file = createReadStream(path);
  const stream = gz ? file.pipe(createGunzip()) : file;
  let total = 0;
  let lineNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxTotal) throw new TokenstormError('ERR_REPORT_INVALID', `${path}: more than ${maxTotal} bytes (decompressed); split the run or raise the cap`);
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0; nl = chunk.indexOf(10, start)) {
        const piece = chunk.subarray(start, nl);
        if (pendingBytes + piece.length > maxLine) throw new TokenstormError('ERR_REPORT_INVALID', `${path}: line ${lineNo + 1} is longer than ${maxLine} bytes; not k6 JSON output`);
        const line = pendingBytes > 0 ? Buffer.concat([...pending, piece]).toString('utf8') : piece.toString('utf8');
        pending = [];
        pendingBytes = 0;
        lineNo++;
        start = nl + 1;
        if (line.trim() !== '') yield line;
      }
      const rest = chunk.subarray(start);
      if (pendingBytes + rest.length > maxLine) throw new TokenstormError('ERR_REPORT_INVALID', `${path}: line ${lineNo + 1} is longer than ${maxLine} bytes; not k6 JSON output`);
      if (rest.length > 0) {
        pending.push(Buffer.from(rest));
        pendingBytes += rest.length;
      }
    }
  } catch (err) {
    if (err instanceof TokenstormError) throw err;
    throw new TokenstormError('ERR_REPORT_INVALID', `${path}: cannot be read${gz ? ' as gzip' : ''} (${(err as Error).message})`, { cause: err });
  } finally {
    file.destroy();
  }
  if (pendingBytes > 0) {
    const line = Buffer.concat(pending).toString('utf8');
    if (line.trim() !== '') yield line;
  }
}
