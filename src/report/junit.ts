/**
 * JUnit XML for CI systems: thresholds and regression checks as test cases, so a failing gate
 * shows up as a failing test with the measured value in its message.
 */
import { type ProbeOutcome, type RegressionCheck, type Report, SEVERITIES, type Severity } from './schema.ts';

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot carry. */
export function escapeXml(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  name: string;
  classname: string;
  failure?: { message: string; type: string; body: string };
  error?: { message: string; type: string };
  skipped?: string;
  systemOut?: string;
}

interface Suite {
  name: string;
  timeSec: number;
  cases: Case[];
  /** `<properties>` of the suite (the knee, so CI can chart capacity over builds). */
  properties?: Array<[string, string]>;
}

const num = (x: number | null): string => (x === null ? 'n/a' : String(Math.round(x * 1000) / 1000));

function suiteXml(s: Suite, timestamp: string): { xml: string; tests: number; failures: number; errors: number; skipped: number } {
  const failures = s.cases.filter((c) => c.failure).length;
  const errors = s.cases.filter((c) => c.error).length;
  const skipped = s.cases.filter((c) => c.skipped !== undefined).length;
  const lines = [
    `  <testsuite name="${escapeXml(s.name)}" tests="${s.cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${s.timeSec.toFixed(3)}" timestamp="${escapeXml(timestamp)}">`,
  ];
  if (s.properties && s.properties.length > 0) {
    lines.push('    <properties>');
    for (const [name, value] of s.properties) lines.push(`      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`);
    lines.push('    </properties>');
  }
  for (const c of s.cases) {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0"`;
    if (c.failure) {
      lines.push(`${open}>`);
      lines.push(
        `      <failure message="${escapeXml(c.failure.message)}" type="${escapeXml(c.failure.type)}">${escapeXml(c.failure.body)}</failure>`,
      );
      lines.push('    </testcase>');
    } else if (c.error) {
      lines.push(`${open}>`);
      lines.push(`      <error message="${escapeXml(c.error.message)}" type="${escapeXml(c.error.type)}"/>`);
      lines.push('    </testcase>');
    } else if (c.skipped !== undefined) {
      lines.push(`${open}>`);
      lines.push(`      <skipped message="${escapeXml(c.skipped)}"/>`);
      lines.push('    </testcase>');
    } else if (c.systemOut !== undefined) {
      lines.push(`${open}>`);
      lines.push(`      <system-out>${escapeXml(c.systemOut)}</system-out>`);
      lines.push('    </testcase>');
    } else {
      lines.push(`${open}/>`);
    }
  }
  lines.push('  </testsuite>');
  return { xml: lines.join('\n'), tests: s.cases.length, failures, errors, skipped };
}

function regressionCases(checks: RegressionCheck[]): Case[] {
  return checks.map((c) => {
    const knee = c.unit === 'flows/s';
    const name = knee ? `knee within -${c.tolerancePct}% of baseline` : `${c.endpoint} ${c.stat} within +${c.tolerancePct}% of baseline`;
    const classname = 'tokenstorm.regression';
    if (c.skipped) return { name, classname, skipped: c.skipped };
    if (c.ok) return { name, classname };
    const unit = c.unit ?? 'ms';
    const limit = c.baseline * (1 + ((knee ? -1 : 1) * c.tolerancePct) / 100);
    const message = `actual ${num(c.current)} ${unit}, baseline ${num(c.baseline)} ${unit}, limit ${num(limit)} ${unit}`;
    return { name, classname, failure: { message, type: 'regression', body: message } };
  });
}

/**
 * One test case per probe: a finding at or above `failOn` fails it (type = severity), a finding below
 * passes with the observation in system-out, skipped and inconclusive probes are skipped with why.
 */
function probeCases(outcomes: ProbeOutcome[], report: Report, failOn: Severity): Case[] {
  const rank = (s: Severity): number => SEVERITIES.indexOf(s);
  return outcomes.map((o) => {
    const c: Case = { name: `${o.probe} ${o.title}`, classname: 'tokenstorm.probes' };
    if (o.status === 'skipped' || o.status === 'inconclusive') {
      c.skipped = `${o.status}: ${o.reason ?? ''}`;
    } else if (o.status === 'finding') {
      const f = report.findings?.find((x) => x.probe === o.probe);
      const message = `${o.severity}: ${f?.observed ?? o.reason ?? 'finding'}`;
      const body = [`expected: ${f?.expected ?? ''}`, ...o.evidence.map((e) => `${e.step}: ${[e.status, e.error, e.failureClass, e.description].filter((x) => x !== undefined).join(' ')}`)].join('\n');
      if (rank(o.severity) <= rank(failOn)) c.failure = { message, type: o.severity, body };
      else c.systemOut = `${message}\n${body}`;
    }
    return c;
  });
}

function document(suites: Suite[], timestamp: string): string {
  const rendered = suites.map((s) => suiteXml(s, timestamp));
  const sum = (k: 'tests' | 'failures' | 'errors' | 'skipped'): number => rendered.reduce((a, r) => a + r[k], 0);
  const time = suites.reduce((a, s) => Math.max(a, s.timeSec), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="tokenstorm" tests="${sum('tests')}" failures="${sum('failures')}" errors="${sum('errors')}" skipped="${sum('skipped')}" time="${time.toFixed(3)}">`,
    ...rendered.map((r) => r.xml),
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * JUnit XML for a run: suite `tokenstorm thresholds` (one test case per threshold; a failure with
 * message `actual X` when it did not hold), suite `tokenstorm regressions` (one per regression
 * check) when the report has any, suite `tokenstorm checks` (run-level checks: something
 * succeeded, every fault applied, the baseline compared something), suite `tokenstorm probes`
 * (one per security probe) when probes ran, and suite `tokenstorm run` with an error case when
 * the run stopped early (partial report).
 *
 * @example
 * await writeFile('junit.xml', renderJunit(report));
 */
export function renderJunit(report: Report): string {
  const timeSec = report.durationMs / 1000;
  const suites: Suite[] = [
    {
      name: 'tokenstorm thresholds',
      timeSec,
      cases: report.thresholds.map((t) => {
        const c: Case = { name: t.expr, classname: 'tokenstorm.thresholds' };
        if (!t.ok) {
          const message = `actual ${num(t.actual)}${t.detail ? ` (${t.detail})` : ''}`;
          c.failure = { message, type: 'threshold', body: `${t.expr}: ${message}` };
        }
        return c;
      }),
    },
  ];
  if (report.regressions && report.regressions.length > 0) {
    suites.push({ name: 'tokenstorm regressions', timeSec: 0, cases: regressionCases(report.regressions) });
  }
  if (report.checks && report.checks.length > 0) {
    suites.push({
      name: 'tokenstorm checks',
      timeSec: 0,
      cases: report.checks.map((k) => {
        const c: Case = { name: k.name, classname: 'tokenstorm.checks' };
        if (!k.ok) c.failure = { message: k.detail, type: 'check', body: `${k.name}: ${k.detail}` };
        return c;
      }),
    });
  }
  if (report.probes && report.probes.length > 0) {
    const timeSec = report.probes.reduce((a, o) => a + o.durationMs, 0) / 1000;
    suites.push({ name: 'tokenstorm probes', timeSec, cases: probeCases(report.probes, report, report.findingsFailOn ?? 'high') });
  }
  if (report.partial) {
    suites.push({
      name: 'tokenstorm run',
      timeSec,
      cases: [
        {
          name: 'run completed',
          classname: 'tokenstorm.run',
          error: { message: 'the run stopped early; the report is partial', type: 'partial' },
        },
      ],
    });
  }
  if (report.knee) suites[0]!.properties = kneeProperties(report.knee);
  return document(suites, report.startedAt);
}

/** The knee as suite properties: `knee` (flows/s, empty when there is none) and how it was found. */
function kneeProperties(k: NonNullable<Report['knee']>): Array<[string, string]> {
  const props: Array<[string, string]> = [['knee', k.sustainedRatePerSec === null ? '' : String(k.sustainedRatePerSec)]];
  if (k.brokeAtRatePerSec !== null) props.push(['knee.brokeAt', String(k.brokeAtRatePerSec)]);
  if (k.resolutionPct != null) props.push(['knee.resolutionPct', String(k.resolutionPct)]);
  if (k.outcome) props.push(['knee.outcome', k.outcome]);
  if (k.answer) props.push(['knee.answer', k.answer]);
  return props;
}

/**
 * JUnit XML for `tokenstorm compare --junit`: one suite `tokenstorm regressions`.
 *
 * @example
 * await writeFile('compare.xml', renderCompareJunit(compareReports(base, cur, { tolerancePct: 10 })));
 */
export function renderCompareJunit(checks: RegressionCheck[], timestamp = new Date().toISOString()): string {
  return document([{ name: 'tokenstorm regressions', timeSec: 0, cases: regressionCases(checks) }], timestamp);
}
