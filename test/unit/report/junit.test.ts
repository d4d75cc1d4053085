import { describe, expect, it } from 'vitest';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { escapeXml, renderCompareJunit, renderJunit } from '../../../src/report/junit.ts';
import type { Report } from '../../../src/report/schema.ts';
import { parseXml, type XmlElement } from './xml-check.ts';

const base = buildSyntheticReport({ durationSec: 5, ratePerSec: 10, fault: null });

function withGates(partial: boolean): Report {
  return {
    ...base,
    partial,
    thresholds: [
      { expr: 'token:p(95)<200', ok: true, actual: 31.25 },
      { expr: `flow:rate(failed)<0.01 & "q" 'a' <x>\u0001`, ok: false, actual: 0.02345 },
      { expr: 'token:p(99)<1', ok: false, actual: null },
    ],
    regressions: [
      { endpoint: 'token', stat: 'p95', baseline: 30, current: 45, tolerancePct: 10, ok: false },
      { endpoint: 'flow', stat: 'p95', baseline: 50, current: 51, tolerancePct: 10, ok: true },
      { endpoint: 'consent', stat: 'p95', baseline: 0, current: 0, tolerancePct: 10, ok: true, skipped: 'too few samples' },
    ],
  };
}

const suite = (root: XmlElement, name: string): XmlElement => {
  const s = root.children.find((c) => c.attrs.name === name);
  if (!s) throw new Error(`no suite ${name}`);
  return s;
};

describe('renderJunit', () => {
  it('is well-formed with the right counts per suite and in total', () => {
    const root = parseXml(renderJunit(withGates(true)));
    expect(root.name).toBe('testsuites');
    expect(root.children.map((c) => c.attrs.name)).toEqual(['tokenstorm thresholds', 'tokenstorm regressions', 'tokenstorm run']);
    const t = suite(root, 'tokenstorm thresholds');
    expect(t.attrs).toMatchObject({ tests: '3', failures: '2', errors: '0', skipped: '0', time: '5.000' });
    expect(t.children.map((c) => c.name)).toEqual(['testcase', 'testcase', 'testcase']);
    expect(t.children[0]!.children).toEqual([]);
    const failure = t.children[1]!.children[0]!;
    expect(failure.name).toBe('failure');
    expect(failure.attrs.message).toBe('actual 0.023');
    expect(t.children[2]!.children[0]!.attrs.message).toBe('actual n/a');
    const r = suite(root, 'tokenstorm regressions');
    expect(r.attrs).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '1' });
    expect(r.children[0]!.children[0]!.attrs.message).toBe('actual 45 ms, baseline 30 ms, limit 33 ms');
    expect(r.children[2]!.children[0]!.name).toBe('skipped');
    const run = suite(root, 'tokenstorm run');
    expect(run.attrs).toMatchObject({ tests: '1', errors: '1' });
    expect(root.attrs).toMatchObject({ tests: '7', failures: '3', errors: '1', skipped: '1' });
  });

  it('escapes names and drops characters XML cannot carry', () => {
    const xml = renderJunit(withGates(false));
    const root = parseXml(xml);
    expect(suite(root, 'tokenstorm thresholds').children[1]!.attrs.name).toBe(`flow:rate(failed)<0.01 & "q" 'a' <x>`);
    expect(xml).not.toContain('<x>');
    expect(xml).not.toContain('\u0001');
    expect(root.children.map((c) => c.attrs.name)).toEqual(['tokenstorm thresholds', 'tokenstorm regressions']);
  });

  it('has an empty thresholds suite when nothing was gated', () => {
    const root = parseXml(renderJunit({ ...base, thresholds: [] }));
    expect(root.children).toHaveLength(1);
    expect(root.children[0]!.attrs).toMatchObject({ name: 'tokenstorm thresholds', tests: '0', failures: '0' });
  });

  it('renders compare checks alone', () => {
    const root = parseXml(renderCompareJunit(withGates(false).regressions!, '2025-01-01T00:00:00.000Z'));
    expect(root.children).toHaveLength(1);
    expect(root.children[0]!.attrs).toMatchObject({ name: 'tokenstorm regressions', tests: '3', failures: '1', skipped: '1' });
  });

  it('escapeXml covers the five special characters', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
  });
});
