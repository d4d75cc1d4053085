/**
 * The seed's PKCE metrics M1–M8 (issue 10), computed purely from what the recorder collected. Each
 * has a default target; `ok` is null when the run had nothing to measure it on (e.g. M1 in token
 * mode, where codes are banked before measuring starts).
 */
import type { RecorderResult } from '../metrics/recorder.ts';
import type { FailureClass, PkceMetric, PkceReport } from './schema.ts';

/** Default targets (issue 10; `pkce-slo` scenario). Rates 0..1, latency ms. */
export const PKCE_TARGETS = {
  authorizeSuccessRate: 0.999,
  tokenSuccessRate: 0.999,
  pkceFailureRate: 0.0001,
  tokenP95Ms: 200,
  codeReuseRate: 0,
  s256Share: 1,
  secretsFound: 0,
  redirectErrorRate: 0.001,
} as const;

/** The PKCE validation failure classes (M3). */
export const PKCE_FAILURE_CLASSES: readonly FailureClass[] = ['pkce_mismatch', 'pkce_verifier_missing', 'pkce_method_rejected'];
/** Redirect / callback failure classes (M8). */
export const REDIRECT_FAILURE_CLASSES: readonly FailureClass[] = ['redirect_uri_mismatch', 'state_mismatch', 'callback_missing_code'];

/** Inputs beyond the recorder's. */
export interface PkceMetricsOptions {
  /**
   * Challenge methods sent and accepted (codes issued), by method. Default: every authorization
   * request sent S256 and every callback accepted it (what the flow driver does).
   */
  challengeMethods?: { sent: Record<string, number>; accepted: Record<string, number> };
  /** Secrets found in the outputs ({@link scanForSecrets}); null/absent: not scanned. */
  secretsFound?: number | null;
}

const pct = (x: number): string => `${(Math.round(x * 100_000) / 1000).toString()}%`;
const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

/**
 * M1–M8 for report.json's `pkce` section.
 *
 * @example
 * const pkce = pkceMetrics(recorder.finish(), { secretsFound: scan.found });
 * pkce.metrics.find((m) => m.id === 'M2')?.ok; // true when ≥ 99.9% of token exchanges succeeded
 */
export function pkceMetrics(result: Pick<RecorderResult, 'endpoints' | 'failures'>, opts: PkceMetricsOptions = {}): PkceReport {
  const ep = result.endpoints;
  const failures = result.failures;
  const attempts = ep.authorize?.count ?? 0;
  const callbacks = (ep.callback?.count ?? 0) - (ep.callback?.errors ?? 0);
  const tokens = ep.token?.count ?? 0;
  const tokenOk = tokens - (ep.token?.errors ?? 0);
  const count = (classes: readonly FailureClass[]): number => classes.reduce((a, c) => a + (failures[c] ?? 0), 0);
  const pkceFailures: Partial<Record<FailureClass, number>> = {};
  for (const c of PKCE_FAILURE_CLASSES) if ((failures[c] ?? 0) > 0) pkceFailures[c] = failures[c]!;
  const pkceCount = count(PKCE_FAILURE_CLASSES);
  const reused = failures.code_reused ?? 0;
  const redirectErrors = count(REDIRECT_FAILURE_CLASSES);
  const methods = opts.challengeMethods ?? { sent: attempts > 0 ? { S256: attempts } : {}, accepted: callbacks > 0 ? { S256: callbacks } : {} };
  const sentShare = ratio(methods.sent.S256 ?? 0, sum(methods.sent));
  const acceptedShare = ratio(methods.accepted.S256 ?? 0, sum(methods.accepted));
  const s256Values = [sentShare, acceptedShare].filter((x): x is number => x !== null);

  const m = (id: PkceMetric['id'], name: string, value: number | null, unit: PkceMetric['unit'], target: string, ok: (v: number) => boolean, detail: string): PkceMetric => ({
    id,
    name,
    value,
    unit,
    target,
    ok: value === null ? null : ok(value),
    detail,
  });
  const t = PKCE_TARGETS;
  const m1 = ratio(callbacks, attempts);
  const m2 = ratio(tokenOk, tokens);
  const m3 = ratio(pkceCount, tokens);
  const m5 = ratio(reused, tokens);
  const m8 = ratio(redirectErrors, attempts);
  const p95 = ep.token && ep.token.count > 0 ? ep.token.latencyMs.p95 : null;
  const secrets = opts.secretsFound ?? null;
  return {
    metrics: [
      m('M1', 'authorization request success rate', m1, 'ratio', `>= ${pct(t.authorizeSuccessRate)}`, (v) => v >= t.authorizeSuccessRate, `${callbacks} callbacks / ${attempts} authorization requests`),
      m('M2', 'token exchange success rate', m2, 'ratio', `>= ${pct(t.tokenSuccessRate)}`, (v) => v >= t.tokenSuccessRate, `${tokenOk} successful / ${tokens} token exchanges`),
      m('M3', 'PKCE validation failure rate', m3, 'ratio', `< ${pct(t.pkceFailureRate)}`, (v) => v < t.pkceFailureRate, `${pkceCount} PKCE failures / ${tokens} token exchanges`),
      m('M4', 'token exchange latency p95', p95, 'ms', `< ${t.tokenP95Ms} ms`, (v) => v < t.tokenP95Ms, `p95 of ${tokens} token exchanges, from the intended start`),
      m('M5', 'authorization code reuse rate', m5, 'ratio', '0%', (v) => v <= t.codeReuseRate, `${reused} code_reused / ${tokens} token exchanges`),
      m(
        'M6',
        'challenge method compliance (S256 share)',
        s256Values.length > 0 ? Math.min(...s256Values) : null,
        'ratio',
        '100% S256',
        (v) => v >= t.s256Share,
        `sent ${sentShare === null ? 'n/a' : pct(sentShare)} S256, accepted ${acceptedShare === null ? 'n/a' : pct(acceptedShare)} S256`,
      ),
      m('M7', 'verifier exposure (secrets in outputs)', secrets, 'count', '0', (v) => v <= t.secretsFound, secrets === null ? 'outputs not scanned' : `${secrets} secrets found in the written outputs`),
      m('M8', 'redirect/callback error rate', m8, 'ratio', `< ${pct(t.redirectErrorRate)}`, (v) => v < t.redirectErrorRate, `${redirectErrors} redirect_uri/state/callback errors / ${attempts} authorization requests`),
    ],
    pkceFailures,
    challengeMethods: methods,
  };
}

/**
 * M6 inputs when buggy-client flows sent `plain`: the flow driver's authorization requests and
 * callbacks minus the plain ones, plus the plain ones themselves.
 *
 * @example
 * pkceMetrics(result, { challengeMethods: challengeMethodsWith(result, { sent: 12, accepted: 0 }) });
 */
export function challengeMethodsWith(
  result: Pick<RecorderResult, 'endpoints'>,
  plain: { sent: number; accepted: number },
): { sent: Record<string, number>; accepted: Record<string, number> } {
  const attempts = result.endpoints.authorize?.count ?? 0;
  const callbacks = (result.endpoints.callback?.count ?? 0) - (result.endpoints.callback?.errors ?? 0);
  const only = (r: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(r).filter(([, n]) => n > 0));
  return {
    sent: only({ S256: Math.max(0, attempts - plain.sent), plain: plain.sent }),
    accepted: only({ S256: Math.max(0, callbacks - plain.accepted), plain: plain.accepted }),
  };
}

/**
 * The report's `pkce` with M7 set from an output scan (done after the outputs were written).
 *
 * @example
 * report.pkce = withSecretScan(report.pkce, scan.found);
 */
export function withSecretScan(pkce: PkceReport, secretsFound: number): PkceReport {
  return {
    ...pkce,
    metrics: pkce.metrics.map((m) =>
      m.id === 'M7' ? { ...m, value: secretsFound, ok: secretsFound <= PKCE_TARGETS.secretsFound, detail: `${secretsFound} secrets found in the written outputs` } : m,
    ),
  };
}
