/**
 * The dashboards and alert rules in deploy/ are built on tokenstorm's metric names: every query
 * must reference only metrics the exporter's registry has (or recording rules defined in the alert
 * file); promtool validates the rules and runs their unit tests (the burn-rate page fires above 5×
 * on both windows and not below).
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTokenstormMetrics } from '../../../src/export/prometheus-metrics.ts';
import { IN_CI, MISSING, PROMTOOL } from './prometheus-server.ts';

const run = promisify(execFile);
const ALERTS = resolve('deploy/prometheus/alerts.yml');

interface Dashboard {
  panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ definition?: string }> };
  annotations: { list: Array<{ expr?: string }> };
}
interface RuleFile {
  groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string }> }>;
}

async function exportedNames(): Promise<Set<string>> {
  const m = createTokenstormMetrics({ scenario: 's', mode: 'flow', model: 'open' });
  const names = new Set<string>();
  for (const metric of await m.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  m.close();
  return names;
}

/** Metric names a PromQL expression selects (tokenstorm_… and recording rules tokenstorm:…). */
function referenced(expr: string): string[] {
  // Label values in quotes ("pkce_.*") are not metric names.
  const unquoted = expr.replace(/"[^"]*"/g, '""');
  return [...unquoted.matchAll(/\btokenstorm[_:][a-zA-Z0-9_:]*/g)].map((m) => m[0]);
}

describe('deploy/: dashboards and alerts use exported metric names', () => {
  it('every Grafana query references only metrics the exporter registers', async () => {
    const names = await exportedNames();
    expect(names).toContain('tokenstorm_flows_total');
    expect(names).toContain('tokenstorm_latency_seconds_bucket');
    const dash = JSON.parse(await readFile(resolve('deploy/grafana/tokenstorm.json'), 'utf8')) as Dashboard;
    const exprs = [
      ...dash.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
      ...dash.templating.list.flatMap((v) => (v.definition ? [{ where: 'variable', expr: v.definition }] : [])),
      ...dash.annotations.list.flatMap((a) => (a.expr ? [{ where: 'annotation', expr: a.expr }] : [])),
    ];
    expect(exprs.length).toBeGreaterThan(20);
    for (const { where, expr } of exprs) {
      const refs = referenced(expr);
      expect(refs.length, `${where}: ${expr} uses no tokenstorm metric`).toBeGreaterThan(0);
      for (const name of refs) expect(names.has(name), `${where}: ${name} is not exported`).toBe(true);
    }
    // The three audiences the dashboard serves.
    const titles = dash.panels.map((p) => p.title);
    for (const t of ['Executive', 'On-call', 'Debug', 'PKCE failure trend', 'Token exchange rate', 'Failures by class', 'Active fault']) {
      expect(titles).toContain(t);
    }
  });

  it('the dashboard uses the provisioned datasource, and docker-compose mounts files that exist', async () => {
    const ds = parse(await readFile(resolve('deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string }> };
    const uid = ds.datasources[0]!.uid;
    const dash = JSON.parse(await readFile(resolve('deploy/grafana/tokenstorm.json'), 'utf8')) as {
      uid: string;
      panels: Array<{ type: string; datasource?: { uid: string }; targets?: Array<{ datasource?: { uid: string } }> }>;
    };
    expect(dash.uid).toBe('tokenstorm');
    for (const p of dash.panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid).toBe(uid);
      for (const t of p.targets ?? []) expect(t.datasource?.uid).toBe(uid);
    }
    const compose = parse(await readFile(resolve('docker-compose.yml'), 'utf8')) as { services: Record<string, { volumes?: string[]; network_mode?: string }> };
    for (const name of ['prometheus', 'grafana']) {
      const svc = compose.services[name]!;
      expect(svc.network_mode).toBe('host');
      for (const v of svc.volumes ?? []) {
        const host = v.split(':')[0]!;
        await expect(readFile(resolve(host)).catch((e: { code?: string }) => (e.code === 'EISDIR' ? 'dir' : Promise.reject(e)))).resolves.toBeDefined();
      }
    }
  });

  it('every alert rule references exported metrics or recording rules defined before it', async () => {
    const names = await exportedNames();
    const rules = (parse(await readFile(ALERTS, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules);
    const defined = new Set<string>();
    for (const rule of rules) {
      for (const name of referenced(rule.expr)) {
        expect(names.has(name) || defined.has(name), `${rule.record ?? rule.alert}: ${name} is neither exported nor recorded earlier`).toBe(true);
      }
      if (rule.record) defined.add(rule.record);
    }
    expect(rules.map((r) => r.alert).filter(Boolean)).toContain('TokenstormErrorBudgetBurn');
  });

  it.skipIf(MISSING !== null && !IN_CI)('promtool validates the rules and their unit tests pass', async () => {
    if (!PROMTOOL) throw new Error(`${MISSING} (CI=true: promtool must check the alert rules)`);
    const check = await run(PROMTOOL, ['check', 'rules', ALERTS]);
    expect(check.stdout).toMatch(/SUCCESS: \d+ rules found/);
    const tests = await run(PROMTOOL, ['test', 'rules', 'alerts.test.yml'], { cwd: resolve('deploy/prometheus') });
    expect(`${tests.stdout}${tests.stderr}`).toContain('SUCCESS');
    // A broken rule file must not pass: promtool is really judging.
    await expect(run(PROMTOOL, ['check', 'rules', resolve('test/integration/observability/broken-rules.yml')])).rejects.toThrow();
  });
});
