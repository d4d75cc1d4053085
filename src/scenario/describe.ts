/**
 * `--dry-run`: the plan in words, so a person can check what a scenario will do (rates, timing,
 * faults, gates) before it sends a single request.
 */
import { formatDuration } from './duration.ts';
import type { RunPlan, SearchPlan, Stage } from './types.ts';
import { toxicWords } from './validate-faults.ts';

/**
 * Flows (or exchanges) an open-model plan schedules: the area under the rate curve, each stage
 * ramping linearly from the previous stage's target (the first from `startRatePerSec`).
 * Null for the closed model, where the count depends on the target's latency.
 *
 * @example
 * expectedArrivals(plan); // 200 for 20 flows/s over 10 s
 */
export function expectedArrivals(plan: RunPlan): number | null {
  if (plan.model === 'closed' || plan.search) return null;
  let from = plan.startRatePerSec;
  let total = 0;
  for (const s of plan.stages) {
    const to = s.targetRatePerSec ?? 0;
    total += ((from + to) / 2) * (s.durationMs / 1000);
    from = to;
  }
  const n = Math.round(total);
  return plan.maxFlows === null ? n : Math.min(n, plan.maxFlows);
}

const MODE_UNITS: Record<RunPlan['mode'], string> = {
  flow: 'flows',
  token: 'token exchanges',
  refresh: 'refresh-token grants',
  client_credentials: 'client-credentials grants',
};

const MODE_WORDS: Record<RunPlan['mode'], string> = {
  flow: 'each flow is authorize → login → callback → token',
  token: 'a bank of fresh authorization codes is kept full; only the token exchange is driven at the scheduled rate',
  refresh: 'simulated users log in once, then redeem their (rotating) refresh tokens at the scheduled rate',
  client_credentials: 'machine-to-machine token requests (client_credentials grant) at the scheduled rate',
};

/**
 * The dry-run text: one fact per line, times from the start of the run.
 *
 * @example
 * process.stdout.write(describePlan(await loadScenario('smoke')));
 */
export function describePlan(plan: RunPlan): string {
  const unit = plan.mode === 'flow' ? 'flows/s' : plan.mode === 'token' ? 'exchanges/s' : 'requests/s';
  const what = MODE_UNITS[plan.mode];
  const lines: string[] = [];
  lines.push(`Scenario ${plan.name}${plan.file ? ` (${plan.file})` : ''}${plan.description ? `: ${plan.description}` : ''}`);
  lines.push(`Mode: ${plan.mode} — ${MODE_WORDS[plan.mode]}`);
  const modelWords =
    plan.model === 'open'
      ? 'open model (arrival rate; latency measured from the intended start)'
      : 'closed model (fixed VUs; each starts its next flow when the last ends)';
  const stageCount = `${plan.stages.length} stage${plan.stages.length === 1 ? '' : 's'}`;
  if (plan.search) lines.push(...searchWords(plan.search, unit, modelWords, plan.totalDurationMs));
  else lines.push(`Load: ${modelWords}, ${stageCount}, ${formatDuration(plan.totalDurationMs)} total`);
  if (plan.warmupMs) {
    lines.push(`  warmup: the first ${formatDuration(plan.warmupMs)} (stage 1) is phase 'warmup', left out of the totals and the thresholds`);
  }
  let startMs = 0;
  let fromRate = plan.startRatePerSec;
  plan.stages.forEach((s, i) => {
    const endMs = startMs + s.durationMs;
    lines.push(`  stage ${i + 1}: ${formatDuration(startMs)}–${formatDuration(endMs)} ${stageWords(s, fromRate, unit)}`);
    fromRate = s.targetRatePerSec ?? 0;
    startMs = endMs;
  });
  const arrivals = expectedArrivals(plan);
  if (plan.search) lines.push(`Expected ${what}: depends on where the knee is (a search)`);
  else lines.push(
    arrivals === null
      ? `Expected ${what}: depends on the target's latency (closed model)${plan.maxFlows === null ? '' : `, at most ${plan.maxFlows}`}`
      : `Expected ${what}: ~${arrivals}${plan.maxFlows !== null && arrivals === plan.maxFlows ? ' (capped by maxFlows)' : ''}`,
  );
  lines.push(
    `Bounds: at most ${plan.maxInFlight} in flight${plan.model === 'open' ? ' (one that cannot start on time is counted as dropped)' : ''}; ` +
      `${plan.connections} connections per origin; request timeout ${formatDuration(plan.requestTimeoutMs)}, ` +
      `connect timeout ${formatDuration(plan.connectTimeoutMs)}${plan.maxFlows === null ? '' : `; stop after ${plan.maxFlows} ${what}`}`,
  );
  lines.push(targetWords(plan));
  if (plan.mode === 'flow' && plan.primeFlows > 0) {
    lines.push(`Before the clock: up to ${plan.primeFlows} flows one after another to warm the harness (not measured; load.primeFlows: 0 turns this off)`);
  }
  if (plan.mode === 'token') {
    const b = plan.codeBank;
    lines.push(`Code bank: ${b.size} codes, used within ${formatDuration(b.maxAgeMs)} of issue, ${b.producers} producers`);
  }
  if (plan.faults.length === 0) lines.push('Faults: none');
  else {
    lines.push(`Faults (${plan.faults.length}):`);
    for (const f of plan.faults) {
      lines.push(`  ${formatDuration(f.atMs)}–${formatDuration(f.atMs + f.forMs)} ${f.name}: ${faultAction(f)}`);
    }
  }
  lines.push(sloWords(plan));
  lines.push(`Thresholds: ${plan.thresholds.length === 0 ? 'none' : plan.thresholds.join(', ')}`);
  if (plan.expectFailures.length > 0) lines.push(`Expected failures (reported, not gated): ${plan.expectFailures.join(', ')}`);
  if (plan.probes) {
    const pr = plan.probes;
    const which = pr.only.length > 0 ? pr.only.join(', ') : 'all';
    const rate = pr.ratePerSec === null ? 'not under load' : `${pr.ratePerSec}/s under load, on their own recorder`;
    lines.push(`Security probes: ${which}${pr.except.length > 0 ? ` except ${pr.except.join(', ')}` : ''} (${rate}; findings exit 4)`);
  }
  return `${lines.join('\n')}\n`;
}

function stageWords(s: Stage, fromRate: number, unit: string): string {
  if (s.vus !== undefined) return `${s.vus} VUs`;
  const to = s.targetRatePerSec ?? 0;
  return to === fromRate ? `constant ${to} ${unit}` : `ramp ${fromRate} → ${to} ${unit}`;
}

function targetWords(plan: RunPlan): string {
  const t = plan.target;
  const who = t.issuer === null ? 'embedded IdP (oidc-provider, started here)' : `remote issuer ${t.issuer}`;
  const parts = [`Target: ${who}`, `scope ${t.scope}`, `user ${t.username}`];
  if (t.clientId !== null) parts.push(`client ${t.clientId}`);
  if (t.redirectUri !== null) parts.push(`redirect ${t.redirectUri}`);
  if (t.issuer === null) parts.push(`code TTL ${t.codeTtlSec}s`);
  parts.push(`client auth ${t.client.auth}${t.client.dpop ? ` with DPoP (${t.client.dpop})` : ''}`);
  if (plan.mode === 'refresh') parts.push(`${plan.refresh.sessions} simulated users`);
  if (t.login.driver !== 'oidc-provider') parts.push(`login driver ${t.login.driver}${t.login.module ? ` (${t.login.module})` : ''}`);
  return parts.join(', ');
}

function faultAction(f: RunPlan['faults'][number]): string {
  const route = f.endpoint === 'idp' ? 'every IdP route' : `the ${f.endpoint} route`;
  if (f.toxic) return `toxic ${toxicWords(f.toxic)} on ${route} (${f.toxic.stream ?? 'downstream'})`;
  if (f.down) return `proxy for ${route} disabled (connections refused)`;
  if (f.clockSkewMs !== undefined) {
    const ahead = f.clockSkewMs > 0 ? 'ahead' : 'behind';
    return `IdP clock ${formatDuration(Math.abs(f.clockSkewMs))} ${ahead}`;
  }
  if (f.idpMode) return `IdP mode ${f.idpMode}`;
  if (f.clientMix) return `${Math.round(f.clientMix.fraction * 1000) / 10}% of flows played by buggy client ${f.clientMix.kind}`;
  return 'nothing';
}

function sloWords(plan: RunPlan): string {
  const parts: string[] = [];
  if (plan.slo.p95Ms !== null) parts.push(`${plan.slo.endpoint} p95 < ${plan.slo.p95Ms}ms`);
  if (plan.slo.errorRate !== null) parts.push(`failed-flow ratio < ${plan.slo.errorRate}`);
  return `SLO: ${parts.length === 0 ? 'none' : parts.join(', ')}`;
}

function searchWords(s: SearchPlan, unit: string, modelWords: string, maxMs: number): string[] {
  return [
    `Load: capacity search, ${modelWords}; steps take up to about ${formatDuration(maxMs)} in all`,
    `  steps of ${formatDuration(s.stepDurationMs)} (longer when ${s.minSamples} samples need it), the first ${formatDuration(s.settleMs)} of each not judged`,
    `  from ${s.startRatePerSec} ${unit}, ×${s.growth} per step until one breaks the SLO (never above ${s.maxRatePerSec} ${unit}),`,
    `  then bisection between the last good and the first bad rate to within ${s.resolutionPct}%`,
  ];
}
