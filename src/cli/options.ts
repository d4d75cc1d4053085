/**
 * Parsing of CLI flags shared by every command: numeric flags accept the same forms (plain
 * decimal digits only: no `1e1`, `0x2`, `2.5` or blanks) and fail with the same one-line message.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { TokenstormError } from '../errors.ts';
import { makeDir } from '../report/make-dir.ts';

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
 * Checks (creating it if missing) that an `--out` folder is writable, before any work: exit 2 with
 * one line otherwise, fast even for paths like /proc/x.
 *
 * @example
 * await ensureWritableDir('reports');
 */
export async function ensureWritableDir(dir: string, flag = '--out'): Promise<void> {
  try {
    await makeDir(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause ?? err;
    const code = (cause as { code?: unknown }).code;
    throw new TokenstormError('ERR_USAGE', `${flag} ${dir} is not a writable folder (${typeof code === 'string' ? code : 'error'})`);
  }
}
