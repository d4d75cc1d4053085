/**
 * Probes mixed into a load run (a scenario's `probes: { ratePerSec }`): each call runs the next
 * probe of the selection, round robin, while the normal load goes on, so races (P9) and replays
 * meet the IdP under load and under faults. Results are folded per probe: the worst status seen,
 * how often it ran, and one finding per probe with the number of runs that found it.
 */
import type { Finding, ProbeOutcome } from '../report/schema.ts';
import { type ProbeRun, runProbe } from './runner.ts';
import type { Probe, ProbeContext } from './types.ts';

const STATUS_RANK: Record<ProbeOutcome['status'], number> = { finding: 0, inconclusive: 1, pass: 2, skipped: 3 };

/**
 * Round-robin probe runs with folded results.
 *
 * @example
 * const mix = new ProbeMix(pc, selectProbes(plan.probes.only, plan.probes.except));
 * // in the workload, at plan.probes.ratePerSec:
 * await mix.runNext();
 * // at report assembly:
 * const { outcomes, findings } = mix.summary();
 */
export class ProbeMix {
  private readonly pc: ProbeContext;
  private readonly probes: readonly Probe[];
  private next = 0;
  private readonly outcomes = new Map<string, ProbeOutcome>();
  private readonly findings = new Map<string, Finding>();

  constructor(pc: ProbeContext, probes: readonly Probe[]) {
    // Under load a probe may not wait (P11's sleep would hold a slot): it is left to `tokenstorm probe`.
    this.pc = { ...pc, maxWaitSec: 0, slow: false };
    this.probes = probes;
  }

  /** Runs the next probe; never throws for target behaviour (a probe bug is `inconclusive`). */
  async runNext(): Promise<ProbeRun | null> {
    if (this.probes.length === 0) return null;
    const probe = this.probes[this.next++ % this.probes.length]!;
    const run = await runProbe(this.pc, probe);
    this.fold(run);
    return run;
  }

  private fold(run: ProbeRun): void {
    const o = run.outcome;
    const prev = this.outcomes.get(o.probe);
    if (!prev) this.outcomes.set(o.probe, { ...o, runs: 1 });
    else {
      const worse = STATUS_RANK[o.status] < STATUS_RANK[prev.status] ? o : prev;
      this.outcomes.set(o.probe, { ...worse, durationMs: Math.max(prev.durationMs, o.durationMs), runs: (prev.runs ?? 1) + 1 });
    }
    for (const f of run.findings) {
      const seen = this.findings.get(f.probe);
      this.findings.set(f.probe, seen ? { ...seen, occurrences: (seen.occurrences ?? 1) + 1 } : { ...f, occurrences: 1 });
    }
  }

  /** One outcome per probe that ran (catalogue order) and one finding per probe that found something. */
  summary(): { outcomes: ProbeOutcome[]; findings: Finding[] } {
    const order = (id: string): number => this.probes.findIndex((p) => p.id === id);
    return {
      outcomes: [...this.outcomes.values()].sort((a, b) => order(a.probe) - order(b.probe)),
      findings: [...this.findings.values()].sort((a, b) => order(a.probe) - order(b.probe)),
    };
  }
}
