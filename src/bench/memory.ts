/**
 * Memory benchmark: the harness's peak RSS (its own process, all threads; the embedded IdP runs in
 * a separate process and is not counted, as k6's RSS did not count the IdP) at several rates, each
 * run a fresh `tokenstorm run` process (the built CLI) so one run's heap never inflates the next.
 * Two V8 young-generation settings are run side by side, because the young generation's semi-spaces
 * are most of what grows with the rate. k6's figures are the ones recorded in FINDINGS.md (k6 may
 * not be installed here): a comparison against recorded numbers, not a same-run peer.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryFile } from '../paths.ts';
import type { Report } from '../report/schema.ts';

/** k6 0.49 peak RSS on the same flow (FINDINGS.md, 2-core machine, medians of 3), MB. */
export const K6_RECORDED_PEAK_RSS_MB: Readonly<Record<number, number>> = { 100: 98, 200: 101, 400: 157 };

/** One rate, one V8 setting. */
export interface MemoryRun {
  peakRssMb: number;
  cpuMsPerFlow: number | null;
  completed: number;
  dropped: number;
}

/** Result of {@link benchMemory}. */
export interface MemoryBenchResult {
  seconds: number;
  /** The V8 flag of the `small` variant. */
  smallYoungGenFlag: string;
  rates: Array<{
    ratePerSec: number;
    /** Node's default young generation. */
    default: MemoryRun;
    /** With `smallYoungGenFlag`. */
    small: MemoryRun;
    /** k6's recorded peak RSS at this rate (null when none was recorded). */
    k6RecordedPeakRssMb: number | null;
    /** default.peakRssMb / k6RecordedPeakRssMb (goal ≤ 0.75). */
    vsK6Recorded: number | null;
    smallVsK6Recorded: number | null;
  }>;
}

const SMALL_YOUNG_GEN = '--max-semi-space-size=4';

function runCli(scenarioFile: string, outDir: string, nodeFlags: string[]): Promise<Report> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, entryFile('cli/main'), 'run', scenarioFile, '--direct', '--quiet', '--json', '--out', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString().slice(0, 2000)));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout) as Report);
      } catch {
        reject(new Error(`tokenstorm run exited ${code}: ${stderr.trim().split('\n')[0] ?? ''}`));
      }
    });
  });
}

const ratio = (a: number, b: number | null): number | null => (b === null ? null : Math.round((a / b) * 100) / 100);

/**
 * Runs the memory benchmark: 2 × rates.length runs of `seconds` each.
 *
 * @example
 * const r = await benchMemory({ rates: [100, 200, 400], seconds: 10 }); r.rates[0].vsK6Recorded;
 */
export async function benchMemory(opts: { rates?: number[]; seconds?: number } = {}): Promise<MemoryBenchResult> {
  const rates = opts.rates ?? [100, 200, 400];
  const seconds = opts.seconds ?? 10;
  const dir = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-memory-'));
  try {
    const out: MemoryBenchResult['rates'] = [];
    for (const ratePerSec of rates) {
      const file = join(dir, `m${ratePerSec}.json`);
      await writeFile(file, JSON.stringify({ name: `memory-${ratePerSec}`, load: { ratePerSec, duration: seconds * 1000 }, thresholds: [] }));
      const one = async (flags: string[]): Promise<MemoryRun> => {
        const r = await runCli(file, join(dir, 'reports'), flags);
        return { peakRssMb: r.harness.peakRssMb ?? Number.NaN, cpuMsPerFlow: r.harness.cpuMsPerFlow, completed: r.flows.completed, dropped: r.flows.dropped };
      };
      const def = await one([]);
      const small = await one([SMALL_YOUNG_GEN]);
      const k6 = K6_RECORDED_PEAK_RSS_MB[ratePerSec] ?? null;
      out.push({ ratePerSec, default: def, small, k6RecordedPeakRssMb: k6, vsK6Recorded: ratio(def.peakRssMb, k6), smallVsK6Recorded: ratio(small.peakRssMb, k6) });
    }
    return { seconds, smallYoungGenFlag: SMALL_YOUNG_GEN, rates: out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
