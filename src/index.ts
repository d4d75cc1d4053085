/**
 * tokenstorm's public API: what `import … from 'tokenstorm'` gives (package.json `exports` points
 * here; nothing else in the package is importable). Every export has TSDoc, and every function and
 * class an `@example` (test/unit/package/public-api-docs.test.ts holds that). The CLI is a thin
 * layer over these. Adding an export is a public promise: add it to the list in
 * test/unit/public-api.test.ts too.
 *
 * @example
 * import { loadScenario, runPlan } from 'tokenstorm';
 * const outcome = await runPlan(await loadScenario('smoke'), { outDir: 'reports' });
 * process.exitCode = outcome.exitCode;
 */

// Errors: every failure tokenstorm reports is a TokenstormError with a stable code.
import './shim.ts';

export { TokenstormError, isTokenstormError, type TokenstormErrorCode } from './errors.ts';

// Run a plan end to end (reports/<run-id>/report.json, report.html, junit.xml).
export { runPlan, type RunOptions, type RunOutcome, type ProgressSink } from './run.ts';
export type { FlowObserver, FlowRecord } from './flow/pkce-flow.ts';

// Scenarios: write one (defineScenario), load and validate one, describe it in words.
export { defineScenario } from './scenario/define.ts';
export { loadScenario, resolveScenario } from './scenario/load.ts';
export { validateScenario } from './scenario/validate.ts';
export { describePlan } from './scenario/describe.ts';
export { parseDuration } from './scenario/duration.ts';
export type { RunPlan, ScenarioInput, Fault, FaultInput, Stage, ToxicInput, SearchInput, SearchPlan } from './scenario/types.ts';

// Target: the embedded reference IdP (oidc-provider), for runs and tests without a real IdP.
export { startEmbeddedIdp, type EmbeddedIdp, type EmbeddedIdpOptions } from './idp/embedded-idp.ts';

// Reports: the report.json types (schema tokenstorm/report@1), compare against a baseline,
// thresholds, and the renderers the CLI writes.
export { REPORT_SCHEMA, ENDPOINT_CLASSES, FAILURE_CLASSES } from './report/schema.ts';
export type {
  Report,
  EndpointClass,
  EndpointReport,
  FailureClass,
  FailureEvidence,
  FaultOutcome,
  Finding,
  HarnessReport,
  KneeReport,
  LatencySummary,
  PhaseReport,
  PkceReport,
  ProbeOutcome,
  RegressionCheck,
  ReportTargetKind,
  RunCheck,
  Severity,
  SeriesPoint,
  ThresholdResult,
} from './report/schema.ts';
export { compareReports, loadReport, formatCompareTable, type CompareOptions } from './report/compare.ts';

// Login scripts (scenario target.login.driver 'script'): the types a user's login(ctx) module is written against.
export type { LoginScript, LoginScriptContext, ScriptRequest, ScriptResponse } from './target/login/script.ts';
export { evaluateThresholds, parseThreshold } from './report/thresholds.ts';
export { findKnee } from './report/knee.ts';
export { renderHtml } from './report/html.ts';
export { renderJunit } from './report/junit.ts';
export { formatSummary } from './report/console.ts';
export { writeReportFiles } from './report/write.ts';

// Security probes (issue 10): the PKCE catalogue against a target, and the seed's PKCE metrics.
export { PROBES } from './probe/registry.ts';
export { runProbes, selectProbes } from './probe/runner.ts';
export { openProbeTarget, type ProbeTargetOptions, type OpenedProbeTarget } from './probe/context.ts';
export { findingsAtOrAbove } from './probe/severity.ts';
export { pkceMetrics } from './report/pkce-metrics.ts';
export { scanFilesForSecrets } from './report/secret-scan.ts';
export { mergeReports, type MergeInput } from './report/merge.ts';

// PKCE (RFC 7636) building blocks, for custom flows and checks.
export { generateVerifier } from './pkce/verifier.ts';
export { challengeS256, generatePair, type PkcePair } from './pkce/challenge.ts';
export { validateVerifier } from './pkce/validate.ts';
