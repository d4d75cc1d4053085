/**
 * Parsing of numeric CLI flags, shared by every command so they all accept the same forms (plain
 * decimal digits only: no `1e1`, `0x2`, `2.5` or blanks) and fail with the same one-line message.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { TokenstormError } from '../errors.ts';

/**
 * Parses an integer flag in `min..max` (`max` omitted: no upper bound), or throws ERR_USAGE.
 *
 * @example
 * integerFlag('8474', '--port', 0, 65535); // 8474
 * integerFlag('0', '--workers', 1, 256);   // throws "--workers must be an integer in 1..256 (got '0')"
 */
export function integerFlag(raw: string, flag: string, min: number, max?: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
    const range = max === undefined ? `≥ ${min}` : `in ${min}..${max}`;
    throw new TokenstormError('ERR_USAGE', `${flag} must be an integer ${range} (got '${raw}')`);
  }
  return n;
}

/**
 * Creates `dir` if needed and checks it is writable, or throws ERR_USAGE naming `--out`.
 *
 * @example
 * await ensureWritableDir('reports'); // before a run, so a bad --out costs no run
 */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new TokenstormError('ERR_USAGE', `--out ${dir} is not a writable folder (${typeof code === 'string' ? code : 'error'})`);
  }
}
