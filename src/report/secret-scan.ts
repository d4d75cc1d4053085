/**
 * M7, verifier exposure: searches what tokenstorm wrote (report files, captured stdout/stderr) for
 * the secrets a run handled (verifiers, codes, tokens, cookie values). Any hit fails the run.
 */
import { readFile } from 'node:fs/promises';

/** Where secrets were found; never the secrets themselves. */
export interface SecretScan {
  /** Total occurrences. */
  found: number;
  /** Per source name (file path or label) with at least one hit. */
  where: Array<{ source: string; count: number }>;
  /** Sources scanned. */
  scanned: number;
}

/** Secrets shorter than this are not searched (they would match ordinary words). */
export const MIN_SECRET_LENGTH = 8;

function countIn(text: string, secret: string): number {
  let n = 0;
  for (let i = text.indexOf(secret); i !== -1; i = text.indexOf(secret, i + secret.length)) n++;
  return n;
}

/**
 * Counts occurrences of `secrets` in the given texts (exact substring search, also of each secret's
 * URL-encoded form, so a secret in a query string is found too).
 *
 * @example
 * scanTextsForSecrets([{ source: 'stdout', text: out }], [verifier, code]).found; // 0 when nothing leaked
 */
export function scanTextsForSecrets(texts: ReadonlyArray<{ source: string; text: string }>, secrets: Iterable<string>): SecretScan {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    needles.add(s);
    const encoded = encodeURIComponent(s);
    if (encoded !== s) needles.add(encoded);
  }
  const where: SecretScan['where'] = [];
  let found = 0;
  for (const { source, text } of texts) {
    let count = 0;
    for (const n of needles) count += countIn(text, n);
    if (count > 0) where.push({ source, count });
    found += count;
  }
  return { found, where, scanned: texts.length };
}

/**
 * Reads each file (UTF-8) and scans it. A file that cannot be read counts as scanned with no hits
 * only if it does not exist; other read errors are thrown (an unreadable output cannot be vouched for).
 *
 * @example
 * const scan = await scanFilesForSecrets([files.json, files.html, files.junit], secrets);
 * if (scan.found > 0) process.exitCode = 1;
 */
export async function scanFilesForSecrets(paths: readonly string[], secrets: Iterable<string>): Promise<SecretScan> {
  const texts: Array<{ source: string; text: string }> = [];
  for (const p of paths) {
    try {
      texts.push({ source: p, text: await readFile(p, 'utf8') });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'ENOENT') throw err;
    }
  }
  return scanTextsForSecrets(texts, [...secrets]);
}

/**
 * A bounded, uniform sample of the secrets a run handled (reservoir sampling), so a long run can be
 * scanned without keeping every verifier, code and token in memory. Feed it from `onSecret`.
 *
 * @example
 * const sample = new SecretSample(5000);
 * const ctx = { ...flowContext, onSecret: (s) => sample.add(s) };
 * // after the outputs are written:
 * const scan = await scanFilesForSecrets(paths, sample.values());
 */
export class SecretSample {
  private readonly max: number;
  private readonly kept: string[] = [];
  private seen = 0;
  private readonly random: () => number;

  constructor(max = 5000, random: () => number = Math.random) {
    this.max = max;
    this.random = random;
  }

  /** Offers one secret; short values are ignored (see {@link MIN_SECRET_LENGTH}). */
  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    this.seen++;
    if (this.kept.length < this.max) this.kept.push(value);
    else {
      const j = Math.floor(this.random() * this.seen);
      if (j < this.max) this.kept[j] = value;
    }
  }

  /** How many secrets were offered (counted, not kept). */
  get offered(): number {
    return this.seen;
  }

  values(): readonly string[] {
    return this.kept;
  }
}
