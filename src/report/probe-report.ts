/**
 * report.json for `tokenstorm probe`: the same schema as a run (so `report`, HTML and JUnit work on
 * it), with findings[] and probes[] filled, the probe traffic as endpoints, and no load.
 */
import type { RecorderResult } from '../metrics/recorder.ts';
import { type Finding, type ProbeOutcome, REPORT_SCHEMA, type Report, type Severity } from './schema.ts';

/** What {@link buildProbeReport} needs. */
export interface ProbeReportInput {
  runId: string;
  startedAt: Date;
  durationMs: number;
  scenario: { name: string; file: string | null; description?: string };
  target: { kind: 'embedded' | 'remote'; issuer: string; clientId: string };
  outcomes: ProbeOutcome[];
  findings: Finding[];
  failOn: Severity;
  /** The probe traffic (deliberately broken requests: its endpoints are not an SLO). */
  traffic: RecorderResult;
}

/**
 * Assembles the probe run's report.
 *
 * @example
 * const report = buildProbeReport({ runId, startedAt, durationMs, scenario, target, outcomes, findings, failOn: 'high', traffic: recorder.finish() });
 */
export function buildProbeReport(input: ProbeReportInput): Report {
  const t = input.traffic;
  return {
    schema: REPORT_SCHEMA,
    runId: input.runId,
    scenario: { ...input.scenario, mode: 'flow', model: 'open', description: input.scenario.description ?? 'security probes (tokenstorm probe)' },
    startedAt: input.startedAt.toISOString(),
    durationMs: input.durationMs,
    partial: false,
    target: { ...input.target, faults: 'none' },
    load: { model: 'open', stages: [] },
    flows: { started: 0, completed: 0, failed: 0, dropped: 0, late: 0 },
    endpoints: t.endpoints,
    failures: t.failures,
    failureEvidence: t.failureEvidence,
    phases: [],
    series: [],
    thresholds: [],
    harness: {
      eventLoopDelayMs: { p50: 0, p99: 0, max: 0 },
      cpuCores: 0,
      cpuMsPerFlow: null,
      idpCpuCores: null,
      bottleneck: false,
      reasons: ['security probe run: the endpoints and failures are the probes’ deliberately wrong requests, not load'],
      verifierPool: { workers: 0, taken: 0, waits: 0 },
      node: process.version,
    },
    findings: input.findings,
    probes: input.outcomes,
    findingsFailOn: input.failOn,
  };
}
