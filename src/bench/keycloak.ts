/**
 * Capacity against a real Keycloak (issue 9): a ramping open-model run of full PKCE flows with the
 * keycloak login driver against the local Keycloak that scripts/ci/keycloak.sh starts, reporting
 * the knee (flows/s at the SLO) and the harness's CPU next to Keycloak's own (its JVM's CPU time
 * from /proc while the run lasted). Anchor: Keycloak's sizing guide plans 15 password logins/s per
 * vCPU. Goal: at the knee the harness uses under a quarter of the CPU Keycloak uses.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TokenstormError } from '../errors.ts';
import { runPlan } from '../run.ts';
import { packageRoot } from '../scenario/load.ts';
import { validateScenario } from '../scenario/validate.ts';

const run = promisify(execFile);

/** Result of {@link benchKeycloak}. */
export interface KeycloakBenchResult {
  keycloakUrl: string;
  /** Highest offered rate at which the SLO held, flows/s (null: it never held). */
  kneeFlowsPerSec: number | null;
  brokeAtFlowsPerSec: number | null;
  kneeReason: string | null;
  slo: { endpoint: string; p95Ms: number; errorRate: number };
  completedFlows: number;
  /** Mean cores over the run. */
  harnessCpuCores: number;
  keycloakCpuCores: number;
  /** harness ÷ Keycloak CPU (goal < 0.25). */
  harnessVsKeycloakCpu: number | null;
  keycloakCpuMsPerFlow: number | null;
  harnessCpuMsPerFlow: number | null;
  goalMet: boolean;
}

/** A free TCP port on 127.0.0.1 (Keycloak takes a fixed port; the start script waits on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** utime + stime of a process and its threads, in clock ticks (/proc/<pid>/stat fields 14, 15). */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Keycloak's JVM: the child of the pid the start script wrote (kc.sh execs java in its place or forks it). */
async function jvmPid(scriptPid: number): Promise<number> {
  try {
    const { stdout } = await run('pgrep', ['-P', String(scriptPid), 'java']);
    const child = Number(stdout.trim().split('\n')[0]);
    if (Number.isInteger(child) && child > 0) return child;
  } catch {
    // No java child: the script's process is the JVM itself.
  }
  return scriptPid;
}

/**
 * Starts Keycloak (cached distribution), runs the ramp, stops Keycloak.
 *
 * @example
 * const r = await benchKeycloak({ toRatePerSec: 30, seconds: 60 });
 * r.kneeFlowsPerSec; r.harnessVsKeycloakCpu;
 */
export async function benchKeycloak(opts: { toRatePerSec?: number; seconds?: number } = {}): Promise<KeycloakBenchResult> {
  const toRate = opts.toRatePerSec ?? 30;
  const seconds = opts.seconds ?? 60;
  const script = join(packageRoot(), 'scripts/ci/keycloak.sh');
  const dir = join(tmpdir(), `tokenstorm-kc-bench-${process.pid}`);
  let url: string;
  try {
    const [port, mgmt] = [await freePort(), await freePort()];
    const { stdout } = await run('bash', [script, 'start', '--port', String(port), '--management-port', String(mgmt), '--dir', dir, '--watch-pid', String(process.pid)], {
      timeout: 600_000,
      maxBuffer: 1 << 20,
    });
    url = stdout.trim().split('\n').at(-1)!;
  } catch (err) {
    throw new TokenstormError('ERR_TARGET_UNREACHABLE', `Keycloak could not be started for the benchmark (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, {
      hint: 'run scripts/ci/keycloak.sh install first (Java and Maven needed)',
    });
  }
  try {
    const pid = await jvmPid(Number((await readFile(join(dir, 'pid'), 'utf8')).trim()));
    const realm = JSON.parse(await readFile(join(packageRoot(), 'scenarios/keycloak/realm-tokenstorm.json'), 'utf8')) as {
      users: Array<{ username: string; credentials: Array<{ value: string }> }>;
    };
    const password = realm.users.find((u) => u.username === 'alice')!.credentials[0]!.value;
    const slo = { endpoint: 'token' as const, p95Ms: 500, errorRate: 0.01 };
    const plan = validateScenario(
      {
        name: 'keycloak-capacity',
        load: { model: 'open', startRatePerSec: 1, stages: [{ duration: `${seconds}s`, target: toRate }], requestTimeout: '15s', maxInFlight: 512 },
        target: {
          issuer: `${url}/realms/tokenstorm`,
          clientId: 'tokenstorm-public',
          redirectUri: 'http://127.0.0.1/callback',
          username: 'alice',
          password,
          login: { driver: 'keycloak' },
        },
        slo,
      },
      null,
    );
    const ticksPerSec = 100;
    const before = await cpuTicks(pid);
    const outcome = await runPlan(plan, { outDir: join(dir, 'reports'), direct: true });
    const keycloakCpuSec = ((await cpuTicks(pid)) - before) / ticksPerSec;
    const r = outcome.report;
    const wallSec = r.durationMs / 1000;
    const keycloakCpuCores = keycloakCpuSec / wallSec;
    const harnessCpuCores = r.harness.cpuCores;
    const ratio = keycloakCpuCores > 0 ? harnessCpuCores / keycloakCpuCores : null;
    const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 1000) / 1000);
    return {
      keycloakUrl: url,
      kneeFlowsPerSec: r.knee?.sustainedRatePerSec ?? null,
      brokeAtFlowsPerSec: r.knee?.brokeAtRatePerSec ?? null,
      kneeReason: r.knee?.reason ?? null,
      slo,
      completedFlows: r.flows.completed,
      harnessCpuCores: round(harnessCpuCores)!,
      keycloakCpuCores: round(keycloakCpuCores)!,
      harnessVsKeycloakCpu: round(ratio),
      keycloakCpuMsPerFlow: r.flows.completed > 0 ? round((keycloakCpuSec * 1000) / r.flows.completed) : null,
      harnessCpuMsPerFlow: r.harness.cpuMsPerFlow,
      goalMet: ratio !== null && ratio < 0.25,
    };
  } finally {
    await run('bash', [script, 'stop', '--dir', dir], { timeout: 60_000 }).catch(() => undefined);
  }
}
