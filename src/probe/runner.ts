/**
 * Runs probes: one at a time ({@link runProbe}, also the entry point for probe mixes under load) or
 * the catalogue ({@link runProbes}). A probe is bounded in time; a probe that throws (a harness bug)
 * or overruns is inconclusive with the reason, never a finding and never a crash.
 */
import { performance } from 'node:perf_hooks';
import { TokenstormError } from '../errors.ts';
import { redactDetail } from '../metrics/redact.ts';
import type { Finding, ProbeOutcome } from '../report/schema.ts';
import { PROBES, probeById } from './registry.ts';
import type { Probe, ProbeContext, ProbeVerdict } from './types.ts';

/** One probe's outcome and its findings (0 or 1 today). */
export interface ProbeRun {
  outcome: ProbeOutcome;
  findings: Finding[];
}

/** Time a probe may take beyond its own waits (its requests have their own timeouts too). */
const PROBE_DEADLINE_MS = 60_000;

/**
 * Runs one probe by id (or object).
 *
 * @example
 * const { outcome, findings } = await runProbe(pc, 'P9');
 */
export async function runProbe(pc: ProbeContext, probeOrId: Probe | string): Promise<ProbeRun> {
  const probe = typeof probeOrId === 'string' ? probeById(probeOrId) : probeOrId;
  if (!probe) throw new TokenstormError('ERR_USAGE', `unknown probe ${JSON.stringify(probeOrId)} (one of ${PROBES.map((p) => p.id).join(', ')})`);
  const t0 = performance.now();
  const deadlineMs = PROBE_DEADLINE_MS + (pc.slow ? 900_000 : pc.maxWaitSec * 1000);
  let timer: NodeJS.Timeout | undefined;
  let verdict: ProbeVerdict;
  try {
    verdict = await Promise.race([
      probe.run(pc),
      new Promise<ProbeVerdict>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'inconclusive', reason: `did not finish within ${Math.round(deadlineMs / 1000)} s`, evidence: [] }), deadlineMs);
        timer.unref();
      }),
    ]);
  } catch (err) {
    verdict = { status: 'inconclusive', reason: redactDetail(`harness error: ${err instanceof Error ? err.message : String(err)}`), evidence: [] };
  } finally {
    clearTimeout(timer);
  }
  const severity = verdict.status === 'finding' ? (verdict.severity ?? probe.severity) : probe.severity;
  const outcome: ProbeOutcome = {
    probe: probe.id,
    title: probe.title,
    severity,
    status: verdict.status,
    durationMs: Math.round(performance.now() - t0),
    evidence: verdict.evidence,
  };
  if (verdict.status === 'skipped' || verdict.status === 'inconclusive') outcome.reason = verdict.reason;
  if (verdict.status !== 'finding') return { outcome, findings: [] };
  outcome.reason = verdict.observed;
  return {
    outcome,
    findings: [{ probe: probe.id, title: probe.title, severity, expected: probe.expected, observed: verdict.observed, evidence: verdict.evidence }],
  };
}

/**
 * Picks probes by id: `only` (none = all), minus `except`. Unknown ids → ERR_USAGE naming them.
 *
 * @example
 * selectProbes(['P1', 'P9'], []).map((p) => p.id); // ['P1', 'P9']
 */
export function selectProbes(only: readonly string[], except: readonly string[]): Probe[] {
  const unknown = [...only, ...except].filter((id) => !probeById(id));
  if (unknown.length > 0) {
    throw new TokenstormError('ERR_USAGE', `unknown probe id ${unknown.map((u) => JSON.stringify(u)).join(', ')} (one of ${PROBES.map((p) => p.id).join(', ')})`);
  }
  const skip = new Set(except.map((id) => probeById(id)!.id));
  const chosen = only.length === 0 ? [...PROBES] : PROBES.filter((p) => only.some((id) => probeById(id) === p));
  return chosen.filter((p) => !skip.has(p.id));
}

/**
 * Runs the probes one after another (they share the IdP; concurrency is P9's own business).
 *
 * @example
 * const { outcomes, findings } = await runProbes(pc, selectProbes([], []));
 */
export async function runProbes(
  pc: ProbeContext,
  probes: readonly Probe[] = PROBES,
  onOutcome?: (run: ProbeRun) => void,
): Promise<{ outcomes: ProbeOutcome[]; findings: Finding[] }> {
  const outcomes: ProbeOutcome[] = [];
  const findings: Finding[] = [];
  for (const p of probes) {
    const run = await runProbe(pc, p);
    outcomes.push(run.outcome);
    findings.push(...run.findings);
    onOutcome?.(run);
  }
  return { outcomes, findings };
}
