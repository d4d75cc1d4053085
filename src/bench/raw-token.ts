/**
 * Raw token-endpoint mode against a fixed-response server, side by side with autocannon: how many
 * token requests per second the harness's HTTP path (undici dispatch + HDR recording + status
 * check) pushes through, compared with autocannon's on the same server, connections and duration.
 * Then whole `tokenstorm run`s (client_credentials mode, open model) with 1 and 2 load threads,
 * offered 1.3× autocannon's rate: the requests/s they complete is what the goal is about.
 * The server runs in a child process so both clients have the other core to themselves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HttpClient } from '../flow/http.ts';
import { Recorder } from '../metrics/recorder.ts';
import { mergeReports } from '../report/merge.ts';
import type { Report } from '../report/schema.ts';
import { newRunId, runPlan } from '../run.ts';
import { runThreads } from '../run/threads.ts';
import { LIMITS, validateScenario } from '../scenario/validate.ts';
import { startFixedServer } from './fixed-server.ts';

/** Result of {@link benchRawToken}. */
export interface RawTokenBenchResult {
  connections: number;
  seconds: number;
  harnessReqPerSec: number;
  autocannonReqPerSec: number;
  /** harness / autocannon (goal ≥ 1.3). */
  harnessVsAutocannon: number;
  harnessErrors: number;
  autocannonErrors: number;
  /** Rate offered to the whole-run variants: 1.3 × autocannonReqPerSec (at most the scenario limit, 100000/s). */
  offeredRatePerSec: number;
  /** `tokenstorm run` (client_credentials, open model), one load thread: completed requests/s. */
  runThreads1ReqPerSec: number;
  /** The same with `--threads 2` (connections split between the threads). */
  runThreads2ReqPerSec: number;
  /** runThreads1ReqPerSec / autocannonReqPerSec (goal ≥ 1.3). */
  runThreads1VsAutocannon: number;
  /** runThreads2ReqPerSec / autocannonReqPerSec (goal ≥ 1.3). */
  runThreads2VsAutocannon: number;
}

/** Requests/s a whole `tokenstorm run` completes against the fixed server, with `threads` load threads. */
async function wholeRun(issuer: string, connections: number, seconds: number, threads: number, offeredRatePerSec: number): Promise<number> {
  const perThread = Math.max(1, Math.floor(connections / threads));
  const plan = validateScenario(
    {
      name: 'bench-token-raw',
      mode: 'client_credentials',
      load: { ratePerSec: Math.round(offeredRatePerSec), duration: seconds * 1000, maxInFlight: perThread, connections: perThread },
      target: { clientId: 'bench', client: { auth: 'client_secret_post', clientSecret: 'bench-secret' } },
      thresholds: [],
    },
    null,
  );
  const out = await mkdtemp(join(tmpdir(), 'tokenstorm-bench-raw-'));
  try {
    let report: Report;
    if (threads === 1) {
      report = (await runPlan(plan, { issuer, direct: true, outDir: out, progress: null })).report;
    } else {
      const { reports } = await runThreads(plan, { threads, issuer, runId: newRunId() });
      report = mergeReports(reports.map((r, i) => ({ report: r, label: `thread ${i}` }))).report;
    }
    return report.flows.completed / seconds;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

const FORM = 'grant_type=authorization_code&code=fixed&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&client_id=tokenstorm&code_verifier=' + 'v'.repeat(43);

async function harnessRun(url: string, connections: number, seconds: number): Promise<{ reqPerSec: number; errors: number }> {
  const http = new HttpClient({ connections, requestTimeoutMs: 10_000, connectTimeoutMs: 5_000 });
  const t0 = performance.now();
  const recorder = new Recorder({ now: () => performance.now() - t0 });
  const endAt = t0 + seconds * 1000;
  const target = new URL(url);
  const form = new URLSearchParams(FORM);
  let done = 0;
  let errors = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < endAt) {
      const out = await http.send('token', { method: 'POST', url: target, form, headers: { accept: 'application/json' } });
      if (out.ok) {
        const ok = out.res.status === 200;
        recorder.exchange('token', out.res.serviceUs, out.res.serviceUs, ok);
        if (!ok) errors++;
      } else {
        errors++;
      }
      done++;
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsedSec = (performance.now() - t0) / 1000;
  recorder.finish();
  await http.close();
  return { reqPerSec: done / elapsedSec, errors };
}

/**
 * Runs autocannon and the harness against the same fixed-response server (warm-up, then each
 * measured twice, alternating; the best of each is kept).
 *
 * @example
 * const r = await benchRawToken({ connections: 32, seconds: 3 }); r.harnessVsAutocannon;
 */
export async function benchRawToken(opts: { connections?: number; seconds?: number } = {}): Promise<RawTokenBenchResult> {
  const connections = opts.connections ?? 32;
  const seconds = opts.seconds ?? 3;
  // Loaded here, not at module load: every CLI start would otherwise pay for it.
  const { default: autocannon } = await import('autocannon');
  const { child, port } = await startFixedServer();
  const url = `http://127.0.0.1:${port}/token`;
  try {
    const ac = async (duration: number) =>
      autocannon({
        url,
        method: 'POST',
        body: FORM,
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        connections,
        duration,
      });
    await ac(1);
    await harnessRun(url, connections, 1);
    let acBest = { reqPerSec: 0, errors: 0 };
    let hBest = { reqPerSec: 0, errors: 0 };
    for (let i = 0; i < 2; i++) {
      const a = await ac(seconds);
      const aRate = a.requests.total / a.duration;
      if (aRate > acBest.reqPerSec) acBest = { reqPerSec: aRate, errors: a.errors + a.non2xx };
      const h = await harnessRun(url, connections, seconds);
      if (h.reqPerSec > hBest.reqPerSec) hBest = h;
    }
    // Offered above autocannon's rate: a run that keeps up completes all of it, one that cannot drops the rest.
    // (Capped at the largest rate a scenario may ask for.)
    const offeredRatePerSec = Math.min(LIMITS.ratePerSec, Math.round(acBest.reqPerSec * 1.3));
    await wholeRun(`http://127.0.0.1:${port}`, connections, 1, 1, offeredRatePerSec);
    const t1 = await wholeRun(`http://127.0.0.1:${port}`, connections, seconds, 1, offeredRatePerSec);
    const t2 = await wholeRun(`http://127.0.0.1:${port}`, connections, seconds, 2, offeredRatePerSec);
    const vs = (x: number): number => Math.round((x / acBest.reqPerSec) * 1000) / 1000;
    return {
      connections,
      seconds,
      offeredRatePerSec,
      runThreads1ReqPerSec: Math.round(t1),
      runThreads2ReqPerSec: Math.round(t2),
      runThreads1VsAutocannon: vs(t1),
      runThreads2VsAutocannon: vs(t2),
      harnessReqPerSec: Math.round(hBest.reqPerSec),
      autocannonReqPerSec: Math.round(acBest.reqPerSec),
      harnessVsAutocannon: Math.round((hBest.reqPerSec / acBest.reqPerSec) * 1000) / 1000,
      harnessErrors: hBest.errors,
      autocannonErrors: acBest.errors,
    };
  } finally {
    child.kill();
  }
}
