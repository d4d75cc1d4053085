/**
 * What `tokenstorm probe` does once its flags are parsed (cli/probe.ts registers the command and
 * loads this module only when the command runs).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TokenstormError } from '../errors.ts';
import { idpModeFromNames } from '../idp/modes.ts';
import { assertLoopbackUrl } from '../loopback.ts';
import { openProbeTarget } from '../probe/context.ts';
import { runProbes, selectProbes } from '../probe/runner.ts';
import { findingsAtOrAbove, parseSeverity } from '../probe/severity.ts';
import { buildProbeReport } from '../report/probe-report.ts';
import { scanFilesForSecrets, SecretSample } from '../report/secret-scan.ts';
import { formatProbeTable } from '../report/security-console.ts';
import { writeReportFiles } from '../report/write.ts';
import { newRunId } from '../run.ts';
import { loadScenario } from '../scenario/load.ts';
import { ensureWritableDir } from './options.ts';
import { EXIT_FINDINGS, type ProbeFlags } from './probe.ts';

const idList = (raw: string | undefined): string[] => (raw === undefined ? [] : raw.split(',').map((s) => s.trim()).filter((s) => s !== ''));

/** Runs the probe catalogue as the flags say; sets process.exitCode (4 on findings at or above --fail-on). */
export async function runProbeCommand(scenario: string | undefined, flags: ProbeFlags): Promise<void> {
  const failOn = parseSeverity(flags.failOn, '--fail-on');
  if (flags.issuer) assertLoopbackUrl(flags.issuer, '--issuer');
  if (flags.issuer && flags.idpMode.length > 0) throw new TokenstormError('ERR_USAGE', '--idp-mode needs the embedded IdP; it cannot be combined with --issuer');
  await ensureWritableDir(flags.out);
  const plan = await loadScenario(scenario);
  const cfg = plan.probes;
  const probes = selectProbes(flags.only !== undefined ? idList(flags.only) : (cfg?.only ?? []), flags.except !== undefined ? idList(flags.except) : (cfg?.except ?? []));
  const issuer = flags.issuer ?? plan.target.issuer;
  if (issuer) assertLoopbackUrl(issuer, 'target.issuer');
  const startedAt = new Date();
  const t0 = performance.now();
  const print = (s: string): void => {
    if (flags.quiet) return;
    (flags.json ? process.stderr : process.stdout).write(s);
  };
  // M7 for the probe run itself: every secret the probes handle is looked for in what was written.
  const secrets = new SecretSample(20_000);
  await using target = await openProbeTarget({
    onSecret: (value) => secrets.add(value),
    plan,
    issuer: issuer ?? null,
    ...(flags.idpMode.length > 0 ? { idpMode: idpModeFromNames(flags.idpMode) } : {}),
    remoteCodeTtlSec: cfg?.codeTtlSec ?? null,
    secondClientId: cfg?.secondClientId ?? null,
    maxWaitSec: (cfg?.maxWaitMs ?? 15_000) / 1000,
    slow: flags.slow === true,
    ...(cfg ? { parallelRedemptions: cfg.parallelRedemptions } : {}),
  });
  print(`tokenstorm probe: ${probes.length} probes against ${target.kind} ${target.issuer} (client ${target.clientId})\n`);
  const { outcomes, findings } = await runProbes(target.pc, probes);
  const runId = newRunId(startedAt);
  const report = buildProbeReport({
    runId,
    startedAt,
    durationMs: Math.round(performance.now() - t0),
    scenario: { name: plan.name, file: plan.file },
    target: { kind: target.kind, issuer: target.issuer, clientId: target.clientId },
    outcomes,
    findings,
    failOn,
    traffic: target.recorder.finish(),
  });
  const files = await writeReportFiles(report, join(flags.out, runId));
  const scan = await scanFilesForSecrets([files.json, files.html, files.junit], secrets.values());
  const failing = findingsAtOrAbove(findings, failOn);
  print(formatProbeTable(outcomes));
  print(`findings   ${findings.length} (${failing.length} at or above ${failOn})\n`);
  print(`reports    ${files.json}\n           ${files.html}\n           ${files.junit}\n`);
  print(`exposure   ${scan.found} of ${secrets.values().length} secrets handled found in the written outputs\n`);
  if (scan.found > 0) {
    // Never expected: a leak is a harness bug that must fail loudly (the file names, not the secrets).
    throw new TokenstormError('ERR_INTERNAL', `secrets found in ${scan.where.map((w) => w.source).join(', ')}: the reports must not be shared`);
  }
  print(`result     ${failing.length > 0 ? `FAIL: ${failing.length} security finding(s) at or above ${failOn}` : 'PASS'}\n`);
  if (flags.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = failing.length > 0 ? EXIT_FINDINGS : 0;
}
