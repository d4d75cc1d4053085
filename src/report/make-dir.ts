/**
 * Creating an output folder without `mkdir({ recursive: true })`: Node's recursive mkdir never
 * returns for a path under /proc (it retries forever on what the kernel answers there), so
 * `--out /proc/x` hung. Creating one level at a time from the nearest existing ancestor fails
 * fast with the kernel's own error instead.
 */
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TokenstormError } from '../errors.ts';

/**
 * Creates `dir` and its missing parents, one `mkdir` per level. Throws ERR_USAGE (exit 2) naming
 * the folder and the error code when it cannot.
 *
 * @example
 * await makeDir('reports/run-1');
 */
export async function makeDir(dir: string): Promise<string> {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    try {
      const s = await stat(at);
      if (!s.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (code !== 'ENOENT') throw cannot(abs, err);
      missing.push(at);
      const parent = dirname(at);
      if (parent === at) throw cannot(abs, err);
      at = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d);
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw cannot(abs, err);
    }
  }
  return abs;
}

function cannot(dir: string, err: unknown): TokenstormError {
  const code = (err as { code?: unknown }).code;
  return new TokenstormError('ERR_USAGE', `cannot create the folder ${dir} (${typeof code === 'string' ? code : 'error'})`, {
    cause: err,
    hint: 'choose a writable folder with --out',
  });
}
