/**
 * tokenstorm's public API, re-exported by name. The CLI is a thin layer over these.
 */
export { TokenstormError, isTokenstormError, type TokenstormErrorCode } from './errors.ts';

// One run end to end.
export { runPlan, newRunId, type RunOptions, type RunOutcome, type ProgressSink } from './run.ts';

// Scenarios.
export { loadScenario, resolveScenario } from './scenario/load.ts';
export { validateScenario } from './scenario/validate.ts';
export { describePlan } from './scenario/describe.ts';
export { defineScenario } from './scenario/define.ts';
export { parseDuration } from './scenario/duration.ts';
export type { RunPlan, ScenarioInput, Fault, FaultInput, Stage, ToxicInput, SearchInput, SearchPlan } from './scenario/types.ts';

// PKCE.
export { generateVerifier, DEFAULT_VERIFIER_LENGTH, VERIFIER_MIN_LENGTH, VERIFIER_MAX_LENGTH } from './pkce/verifier.ts';
export { challengeS256, challengeFor, generatePair, type PkcePair, type ChallengeMethod } from './pkce/challenge.ts';
export { validateVerifier, validateS256Challenge } from './pkce/validate.ts';
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions, type VerifierPoolStats } from './pkce/pool.ts';

// Target: the embedded IdP.
export { startEmbeddedIdp, type EmbeddedIdp, type EmbeddedIdpOptions } from './idp/embedded-idp.ts';
export { ERROR_DETAIL_HEADER, OIDC_PROVIDER_DETAILS } from './idp/error-details.ts';

// Flows.
export { HttpClient, classifySocketError, type HttpClientOptions, type Route, type RouteTarget } from './flow/http.ts';
export { discover, type FlowTarget } from './flow/target.ts';
export { oidcProviderLogin, type LoginDriver, type LoginResult } from './flow/login-driver.ts';
export { runFlow, obtainCode, exchangeCode, type FlowContext, type FlowRecord, type FlowObserver, type ObtainedCode } from './flow/pkce-flow.ts';
export { FlowSession } from './flow/session.ts';
export { classifyOAuthError } from './flow/classify.ts';

// Load.
export { ArrivalSchedule } from './load/arrivals.ts';
export { runOpen } from './load/open-executor.ts';
export { runClosed } from './load/closed-executor.ts';
export { CodeBank } from './load/code-bank.ts';
export { systemClock, ManualClock, type Clock } from './load/clock.ts';
export { nextSearchStep, judgeStep, harnessProblem, stepDurationMsFor, type SearchDecision, type SearchConclusion } from './load/knee-search.ts';
export { runSearch, type SearchOutcome, type StepRequest } from './load/search-executor.ts';

// Chaos.
export { startFaultServer, type FaultServer } from './chaos/fault-server.ts';
export { FaultLayer } from './chaos/fault-layer.ts';
export { faultOutcomes } from './report/gameday.ts';

// Metrics and reports.
export { Recorder, type RecorderResult } from './metrics/recorder.ts';
export { createHistogram, decodeHistogram, encodeHistogram, summarize } from './metrics/hdr.ts';
export * from './report/schema.ts';
export { evaluateThresholds, parseThreshold } from './report/thresholds.ts';
export { compareReports, loadReport, formatCompareTable } from './report/compare.ts';
export { findKnee } from './report/knee.ts';
export { kneeFromSearch } from './report/search-knee.ts';
export { renderHtml } from './report/html.ts';
export { renderJunit } from './report/junit.ts';
export { formatSummary } from './report/console.ts';
export { writeReportFiles } from './report/write.ts';
