/**
 * The harness watching itself: event-loop delay and its own CPU, so a report can say when the
 * harness, not the IdP, was the bottleneck (a late timer inflates every latency it measures).
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { HarnessReport } from '../report/schema.ts';
import { judgeBottleneck } from './bottleneck.ts';

/** Inputs besides the monitor's own readings. */
export interface HarnessInputs {
  completedFlows: number;
  droppedFlows: number;
  lateFlows: number;
  startedFlows: number;
  idpCpuMicros: number | null;
  verifierPool: HarnessReport['verifierPool'];
  /** Share of HTTP service time spent queued for a free connection (Recorder.queuedShare); 0 when unknown. */
  queuedShare?: number;
  /** From `latencyGrowth(series, liveEndpoint)`; null when too short to tell. */
  latencyGrowth?: number | null;
  /** From `latencyRiseMs(series, liveEndpoint)`; null when too short to tell. */
  latencyRiseMs?: number | null;
}

// The sampling timer wakes the process this often; at 10 ms it cost ~8 ms of CPU per second on an
// idle loop, a visible share of the harness's own CPU at low rates.
const LOOP_RESOLUTION_MS = 20;

/**
 * Starts watching; `finish()` returns the harness section of the report.
 *
 * @example
 * const mon = startHarnessMonitor(); … const harness = mon.finish(inputs);
 */
export function startHarnessMonitor(): { stop(): void; finish(inputs: HarnessInputs): HarnessReport; cpuSoFarMicros(): number } {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let stopped: { wallMs: number; cpu: NodeJS.CpuUsage } | null = null;
  const stop = (): void => {
    if (stopped) return;
    loop.disable();
    stopped = { wallMs: Math.max(1, performance.now() - t0), cpu: process.cpuUsage(cpu0) };
  };
  return {
    /** Ends the measurement window (call when the load ends, before summarising and cleaning up). */
    stop,
    cpuSoFarMicros() {
      const c = process.cpuUsage(cpu0);
      return c.user + c.system;
    },
    finish(inputs) {
      stop();
      const { wallMs, cpu } = stopped!;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      // Node's histogram holds the time between samples, which includes the sampling interval itself:
      // subtract it so the report shows how late the loop was, not the interval plus that.
      const ms = (ns: number): number => Math.max(0, Math.round((ns - LOOP_RESOLUTION_MS * 1e6) / 1e4) / 100);
      const eventLoopDelayMs = {
        p50: ms(loop.percentile(50)),
        p99: ms(loop.percentile(99)),
        max: ms(loop.max),
      };
      const cpuCores = Math.round((cpuMs / wallMs) * 1000) / 1000;
      const idpCpuCores = inputs.idpCpuMicros === null ? null : Math.round((inputs.idpCpuMicros / 1000 / wallMs) * 1000) / 1000;
      const judged = judgeBottleneck({
        loopP99Ms: eventLoopDelayMs.p99,
        harnessCpuCores: cpuCores,
        startedFlows: inputs.startedFlows,
        lateFlows: inputs.lateFlows,
        droppedFlows: inputs.droppedFlows,
        queuedShare: inputs.queuedShare ?? 0,
        latencyGrowth: inputs.latencyGrowth ?? null,
        latencyRiseMs: inputs.latencyRiseMs ?? null,
        targetCpuCores: idpCpuCores,
        verifierPoolWaits: inputs.verifierPool.waits,
      });
      return {
        eventLoopDelayMs,
        cpuCores,
        cpuMsPerFlow: inputs.completedFlows > 0 ? Math.round((cpuMs / inputs.completedFlows) * 1000) / 1000 : null,
        idpCpuCores,
        bottleneck: judged.harnessSide,
        reasons: judged.reasons,
        verdict: judged.verdict,
        summary: judged.summary,
        verifierPool: inputs.verifierPool,
        node: process.version,
        // Peak resident set of this process so far (all threads: the verifier pool included), MB.
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      };
    },
  };
}
