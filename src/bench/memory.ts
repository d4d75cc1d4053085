/**
 * Memory benchmark: the harness's peak RSS (its own process, all threads; the embedded IdP runs in
 * a separate process and is not counted, as k6's RSS did not count the IdP) at several rates, each
 * run a fresh process started the way users start it (bin/tokenstorm.js run), so one run's heap
 * never inflates the next. Four variants per rate, side by side: as shipped (2 MB semi-spaces and
 * two malloc arenas, chosen by the bin; no verifier thread at these rates), without the bin's
 * re-exec (TOKENSTORM_NO_REEXEC=1: V8's default young generation, glibc's default arenas), with
 * one verifier thread (`--workers 1`, the old default), and with `node --liftoff-only`. k6's
 * figures are the ones recorded in FINDINGS.md (k6 cannot be installed here): a comparison against
 * recorded numbers, not a same-run peer.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../report/schema.ts';
import { packageRoot } from '../scenario/load.ts';

/** k6 0.49 peak RSS on the same flow (FINDINGS.md, 2-core machine, medians of 3), MB. */
export const K6_RECORDED_PEAK_RSS_MB: Readonly<Record<number, number>> = { 100: 98, 200: 101, 400: 157 };
/** k6 0.49 CPU per flow on the same flow (FINDINGS.md; steady state at 100 and 200/s, whole run at 400/s), ms. */
export const K6_RECORDED_CPU_MS_PER_FLOW: Readonly<Record<number, number>> = { 100: 3.39, 200: 2.65, 400: 2.23 };

/** One rate, one variant. */
export interface MemoryRun {
  peakRssMb: number;
  cpuMsPerFlow: number | null;
  completed: number;
  dropped: number;
  verifierWorkers: number;
}

/** Result of {@link benchMemory}. */
export interface MemoryBenchResult {
  seconds: number;
  rates: Array<{
    ratePerSec: number;
    /** As users run it. */
    shipped: MemoryRun;
    /** The bin's re-exec turned off: V8's default young generation, glibc's default malloc arenas. */
    v8Default: MemoryRun;
    /** As shipped plus one verifier pool thread. */
    verifierThread: MemoryRun;
    /**
     * As shipped, started with `node --liftoff-only`: undici's HTTP parser (WebAssembly) stays on
     * V8's baseline compiler, skipping the optimizing compile whose memory raises the peak.
     */
    liftoffOnly: MemoryRun;
    /** k6's recorded peak RSS at this rate (null when none was recorded). */
    k6RecordedPeakRssMb: number | null;
    /** shipped.peakRssMb / k6RecordedPeakRssMb (goal ≤ 0.75). */
    vsK6Recorded: number | null;
    /** k6's recorded CPU per flow at this rate, ms (null when none was recorded). */
    k6RecordedCpuMsPerFlow: number | null;
    /** shipped.cpuMsPerFlow / k6RecordedCpuMsPerFlow (goal ≤ 0.5; the harness's whole run against k6's). */
    cpuVsK6Recorded: number | null;
    /** v8Default.peakRssMb / shipped.peakRssMb: what the re-exec's young generation and arenas save. */
    v8DefaultVsShipped: number | null;
    /** verifierThread.peakRssMb / shipped.peakRssMb: what running PKCE inline saves. */
    verifierThreadVsShipped: number | null;
    /** liftoffOnly.peakRssMb / shipped.peakRssMb: what the optimizing WebAssembly compile costs at peak. */
    liftoffOnlyVsShipped: number | null;
  }>;
}

function runCli(scenarioFile: string, outDir: string, extraArgs: string[], env: Record<string, string>, nodeArgs: string[] = []): Promise<Report> {
  return new Promise((resolve, reject) => {
    const bin = join(packageRoot(), 'bin', 'tokenstorm.js');
    // NODE_OPTIONS and MALLOC_ARENA_MAX are cleared so the caller's own settings do not change what is measured.
    const base: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', TOKENSTORM_NO_REEXEC: '' };
    delete base.MALLOC_ARENA_MAX;
    const child = spawn(process.execPath, [...nodeArgs, bin, 'run', scenarioFile, '--direct', '--quiet', '--json', '--out', outDir, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...base, ...env },
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
 * Runs the memory benchmark: 4 × rates.length runs of `seconds` each.
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
      const one = async (extraArgs: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<MemoryRun> => {
        const r = await runCli(file, join(dir, 'reports'), extraArgs, env, nodeArgs);
        return {
          peakRssMb: r.harness.peakRssMb ?? Number.NaN,
          cpuMsPerFlow: r.harness.cpuMsPerFlow,
          completed: r.flows.completed,
          dropped: r.flows.dropped,
          verifierWorkers: r.harness.verifierPool.workers,
        };
      };
      const shipped = await one([]);
      const v8Default = await one([], { TOKENSTORM_NO_REEXEC: '1' });
      const verifierThread = await one(['--workers', '1']);
      const liftoffOnly = await one([], {}, ['--liftoff-only']);
      const k6 = K6_RECORDED_PEAK_RSS_MB[ratePerSec] ?? null;
      const k6Cpu = K6_RECORDED_CPU_MS_PER_FLOW[ratePerSec] ?? null;
      out.push({
        ratePerSec,
        shipped,
        v8Default,
        verifierThread,
        liftoffOnly,
        k6RecordedPeakRssMb: k6,
        vsK6Recorded: ratio(shipped.peakRssMb, k6),
        k6RecordedCpuMsPerFlow: k6Cpu,
        cpuVsK6Recorded: shipped.cpuMsPerFlow === null ? null : ratio(shipped.cpuMsPerFlow, k6Cpu),
        v8DefaultVsShipped: ratio(v8Default.peakRssMb, shipped.peakRssMb),
        verifierThreadVsShipped: ratio(verifierThread.peakRssMb, shipped.peakRssMb),
        liftoffOnlyVsShipped: ratio(liftoffOnly.peakRssMb, shipped.peakRssMb),
      });
    }
    return { seconds, rates: out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
