/**
 * `tokenstorm check [scenario] [--issuer URL]`: one flow with every hop printed, before any load.
 * Exit 0 when the flow completed, 1 when it failed (with its class), 3 when the target is unreachable.
 */
import type { Command } from 'commander';
import { assertLoopbackUrl } from '../loopback.ts';
import type { CheckResult } from '../run/check.ts';
import { PKCE_TARGETS } from '../report/pkce-metrics.ts';
import { loadScenario } from '../scenario/load.ts';

// Terminal control characters in target-supplied text must not reach the terminal.
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

/**
 * The check as text.
 *
 * @example
 * process.stdout.write(formatCheck(await checkOneFlow(plan, { issuer: null })));
 */
export function formatCheck(r: CheckResult): string {
  const t = r.target;
  const lines = [`target   ${t.kind} ${printable(t.issuer)}  client ${printable(t.clientId)} (${t.auth}${t.dpop ? `, DPoP ${t.dpop}` : ''})`];
  r.hops.forEach((h, i) => {
    const status = h.status === null ? `failed (${h.socketCode})` : String(h.status);
    lines.push(`${String(i + 1).padStart(3)} ${h.endpoint.padEnd(9)} ${h.method.padEnd(4)} ${printable(h.url)}`);
    const extra = [`→ ${status}`, `${h.serviceMs.toFixed(1)} ms`];
    if (h.location) extra.push(`location ${printable(h.location)}`);
    if (h.cookies.length > 0) extra.push(`sets cookies ${h.cookies.map(printable).join(', ')}`);
    lines.push(`              ${extra.join('  ')}`);
    if (h.page) lines.push(`              page ${printable(h.page)}`);
  });
  if (r.ok) lines.push('result   completed');
  for (const f of r.failures) {
    const bits = [f.failureClass, `at ${f.endpoint}`];
    if (f.status !== undefined) bits.push(`HTTP ${f.status}`);
    if (f.error) bits.push(f.error);
    if (f.socketCode) bits.push(f.socketCode);
    lines.push(`result   FAILED: ${printable(bits.join(' '))}${f.description ? ` — ${printable(f.description)}` : ''}`);
  }
  if (!r.ok && r.failures.length === 0) lines.push('result   FAILED');
  // The seed's PKCE metrics and their starting targets: what a first SLO for this target could be.
  const slo = PKCE_TARGETS;
  const pct = (x: number): string => `${Math.round(x * 100_000) / 1000}%`;
  lines.push(
    'suggested SLOs (the PKCE metrics M1–M8 at their starting targets; scenario pkce-slo gates on them):',
    `  M1 authorize success >= ${pct(slo.authorizeSuccessRate)}   M2 token success >= ${pct(slo.tokenSuccessRate)}   M3 PKCE failures < ${pct(slo.pkceFailureRate)}`,
    `  M4 token p95 < ${slo.tokenP95Ms} ms   M5 code reuse ${pct(slo.codeReuseRate)}   M6 ${pct(slo.s256Share)} S256   M7 ${slo.secretsFound} secrets in outputs   M8 redirect errors < ${pct(slo.redirectErrorRate)}`,
    "  thresholds: ['authorize:rate(failed)<0.001', 'token:rate(failed)<0.001', 'token:p(95)<200', 'flow:rate(failed)<0.001']",
  );
  return `${lines.join('\n')}\n`;
}

/** Registers `check`. */
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('run ONE flow against the target and print every hop, to get the target configuration right before any load')
    .argument('[scenario]', 'scenario file or bundled name (its target, client and mode are used; its load is not)')
    .option('--issuer <url>', 'remote issuer (loopback only); default: the scenario target or the embedded IdP')
    .option('--json', 'print the check as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm check                                        # one flow against the embedded IdP
  $ tokenstorm check my-keycloak.ts --issuer http://127.0.0.1:8080/realms/demo
  $ tokenstorm check scenarios/examples/client-credentials.json --json

Exit codes: 0 the flow completed, 1 it failed (the class and evidence are printed),
2 bad input, 3 the target could not be reached.`,
    )
    .action(async (scenario: string | undefined, flags: { issuer?: string; json?: boolean }) => {
      if (flags.issuer) assertLoopbackUrl(flags.issuer, '--issuer');
      const plan = await loadScenario(scenario);
      const { checkOneFlow } = await import('../run/check.ts');
      const result = await checkOneFlow(plan, { issuer: flags.issuer ?? null });
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatCheck(result));
      process.exitCode = result.ok ? 0 : 1;
    });
}
