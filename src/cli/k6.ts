/**
 * `tokenstorm export k6 [scenario]` and `tokenstorm import k6 FILE...`: the bridge to k6, the engine
 * people already scale with (k6-operator on Kubernetes).
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { assertLoopbackUrl } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import type { WallPhase } from '../k6/import.ts';
import { loadScenario } from '../scenario/load.ts';
import { addGateOptions, type GateFlags, gateAndWrite, prepareGate } from './gate-output.ts';
import { integerFlag } from './options.ts';

interface ExportFlags {
  out: string;
  issuer?: string;
  login: string;
  clientAuth: string;
  parallelism: string;
  namespace?: string;
}

const LOGINS = ['oidc-provider', 'form'] as const;
const AUTHS = ['none', 'client_secret_basic', 'client_secret_post'] as const;

function oneOf<T extends string>(value: string, allowed: readonly T[], flag: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new TokenstormError('ERR_USAGE', `${flag} must be one of ${allowed.join(', ')} (got '${value}')`);
  return value as T;
}

async function readPhases(file: string): Promise<WallPhase[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new TokenstormError('ERR_USAGE', `--phases ${file}: not a readable JSON file (${(err as Error).message})`, { cause: err });
  }
  const phases = (data as { phases?: unknown } | null)?.phases;
  if (!Array.isArray(phases) || !phases.every((p) => p && typeof p.name === 'string' && Number.isFinite(Date.parse(p.startedAt)) && Number.isFinite(Date.parse(p.endedAt)) && Array.isArray(p.faults))) {
    throw new TokenstormError('ERR_USAGE', `--phases ${file}: expected {"phases":[{name,startedAt,endedAt,faults}]} as written by 'tokenstorm faults --out'`);
  }
  return phases as WallPhase[];
}

/**
 * Registers `export k6` and `import k6`.
 *
 * @example
 * registerK6(program);
 */
export function registerK6(program: Command): void {
  const exp = program.command('export').description('export a scenario to another tool');
  exp
    .command('k6')
    .description('write the scenario as a k6 TypeScript script, its esbuild bundle and k6-operator manifests')
    .argument('[scenario]', 'scenario file or name (default: smoke)')
    .requiredOption('--out <dir>', 'folder for script.ts, lib/, script.js, tsconfig.json, k6-configmap.yaml, k6-testrun.yaml')
    .option('--issuer <url>', 'issuer the script targets by default (ISSUER in the environment overrides it)')
    .option('--login <driver>', `login driver: ${LOGINS.join(' | ')} (form = Keycloak-style HTML form)`, 'oidc-provider')
    .option('--client-auth <method>', `token endpoint authentication: ${AUTHS.join(' | ')} (secret from TOKENSTORM_CLIENT_SECRET)`, 'none')
    .option('--parallelism <n>', 'k6-operator runner pods (spec.parallelism)', '2')
    .option('--namespace <ns>', 'Kubernetes namespace for the manifests')
    .addHelpText(
      'after',
      `
Examples:
  $ tokenstorm export k6 smoke --out k6/smoke
  $ k6 run --out json=a.json.gz --execution-segment 0:1/2 --execution-segment-sequence 0,1/2,1 k6/smoke/script.js
  $ kubectl apply -f k6/smoke/k6-configmap.yaml -f k6/smoke/k6-testrun.yaml
Secrets are never written: set TOKENSTORM_PASSWORD / TOKENSTORM_CLIENT_SECRET in k6's environment
(k6-operator: the Secret 'tokenstorm-k6', keys 'password' and 'client-secret').`,
    )
    .action(async (scenario: string | undefined, flags: ExportFlags) => {
      const login = oneOf(flags.login, LOGINS, '--login');
      const clientAuth = oneOf(flags.clientAuth, AUTHS, '--client-auth');
      const parallelism = integerFlag(flags.parallelism, '--parallelism', 1, 1000);
      if (flags.issuer) assertLoopbackUrl(flags.issuer, '--issuer');
      const plan = await loadScenario(scenario);
      // Loaded here, not with the CLI: the exporter brings esbuild and yaml, which no other command needs.
      const { exportK6 } = await import('../k6/export.ts');
      const out = await exportK6(plan, { outDir: flags.out, issuer: flags.issuer ?? null, login, clientAuth, parallelism, ...(flags.namespace ? { namespace: flags.namespace } : {}) });
      process.stdout.write(`${Object.values(out.files).join('\n')}\n`);
      for (const n of out.notes) process.stderr.write(`tokenstorm: note: ${n}\n`);
    });

  const imp = program.command('import').description('import results of another tool as a tokenstorm report');
  const cmd = imp
    .command('k6')
    .description("read k6 '--out json' files (plain or .gz, one per runner) and write ONE tokenstorm report")
    .argument('<files...>', 'k6 JSON output files')
    .option('--scenario <file>', 'the scenario that was exported (name, stages, thresholds, SLO)')
    .option('--phases <file>', "phases.json written by 'tokenstorm faults --out' (fault phases on the wall clock)")
    .option('--issuer <url>', 'issuer shown in the report');
  addGateOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ tokenstorm import k6 a.json.gz b.json.gz --scenario smoke --out reports/k6-smoke
  $ tokenstorm import k6 out.json --out r --threshold 'token:p(95)<200' --baseline base/report.json

Exit codes: 0 thresholds met, 1 threshold or regression failed, 2 input that is not k6 JSON output.`,
  );
  cmd.action(async (files: string[], flags: GateFlags & { scenario?: string; phases?: string; issuer?: string }) => {
    const gate = await prepareGate(flags);
    const plan = flags.scenario ? await loadScenario(flags.scenario) : null;
    const phases = flags.phases ? await readPhases(flags.phases) : [];
    const { importK6 } = await import('../k6/import.ts');
    const report = await importK6(files, {
      ...(plan
        ? {
            scenario: { name: plan.name, file: plan.file, description: plan.description, stages: plan.stages.map((s) => ({ durationMs: s.durationMs, ...(s.targetRatePerSec !== undefined ? { targetRatePerSec: s.targetRatePerSec } : {}) })) },
            ...(plan.slo.p95Ms !== null || plan.slo.errorRate !== null
              ? { slo: { endpoint: plan.slo.endpoint, ...(plan.slo.p95Ms !== null ? { p95Ms: plan.slo.p95Ms } : {}), ...(plan.slo.errorRate !== null ? { errorRate: plan.slo.errorRate } : {}) } }
              : {}),
          }
        : {}),
      ...(flags.issuer ? { issuer: flags.issuer } : {}),
      phases,
    });
    const knee = plan !== null && plan.stages.length > 1;
    process.exitCode = await gateAndWrite(report, plan?.thresholds ?? [], flags, gate, { knee });
  });
}
