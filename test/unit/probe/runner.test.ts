import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { createProbeContext } from '../../../src/probe/context.ts';
import { expiredCodeProbe } from '../../../src/probe/binding-probes.ts';
import { ProbeMix } from '../../../src/probe/mix.ts';
import { PROBES } from '../../../src/probe/registry.ts';
import { runProbe, selectProbes } from '../../../src/probe/runner.ts';
import { findingsAtOrAbove, parseSeverity } from '../../../src/probe/severity.ts';
import type { Probe, ProbeContext } from '../../../src/probe/types.ts';
import type { FlowContext } from '../../../src/flow/pkce-flow.ts';

// Probes here never reach the network: the fake ones answer directly, P11 decides before any request.
const flow = {
  recorder: new Recorder({ now: () => 0 }),
  target: { issuer: 'http://127.0.0.1:9', issParameterSupported: true, scope: 'openid', authorizationEndpoint: new URL('http://127.0.0.1:9/auth') },
} as unknown as FlowContext;

const fake = (id: string, run: Probe['run']): Probe => ({ id, title: `fake ${id}`, severity: 'high', expected: 'x', run });

describe('probe runner', () => {
  const pc: ProbeContext = createProbeContext(flow, { codeTtlSec: 60, offlineAccess: true });

  it('builds a lenient flow target and an offline target asking for refresh tokens', () => {
    expect(pc.issPromised).toBe(true);
    expect(pc.flow.target.issParameterSupported).toBe(false);
    expect(pc.offlineTarget?.scope).toBe('openid offline_access');
    expect(pc.offlineTarget?.authorizationEndpoint.searchParams.get('prompt')).toBe('consent');
    expect(pc.maxWaitSec).toBe(15);
  });

  it('a finding keeps the probe severity unless the verdict overrides it; a throwing probe is inconclusive', async () => {
    const f = await runProbe(pc, fake('A', async () => ({ status: 'finding', observed: 'bad', evidence: [{ step: 's', status: 200 }] })));
    expect(f.findings).toEqual([{ probe: 'A', title: 'fake A', severity: 'high', expected: 'x', observed: 'bad', evidence: [{ step: 's', status: 200 }] }]);
    expect(f.outcome).toMatchObject({ status: 'finding', reason: 'bad' });
    const lower = await runProbe(pc, fake('B', async () => ({ status: 'finding', severity: 'medium', observed: 'meh', evidence: [] })));
    expect(lower.findings[0]!.severity).toBe('medium');
    const broken = await runProbe(pc, fake('C', async () => {
      throw new Error('boom at dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
    }));
    expect(broken.findings).toEqual([]);
    expect(broken.outcome).toMatchObject({ status: 'inconclusive', reason: 'harness error: boom at [redacted]' });
  });

  it('P11 is skipped with the reason when the wait is over the bound, unless --slow', async () => {
    const r = await runProbe(pc, expiredCodeProbe);
    expect(r.outcome).toMatchObject({ status: 'skipped', reason: 'code lifetime 60 s: waiting 62 s is over the 15 s bound (add --slow to wait)' });
    const unknown = await runProbe({ ...pc, codeTtlSec: null }, expiredCodeProbe);
    expect(unknown.outcome.reason).toMatch(/code lifetime is unknown/);
    const huge = await runProbe({ ...pc, codeTtlSec: 3600, slow: true }, expiredCodeProbe);
    expect(huge.outcome.reason).toBe('code lifetime 3600 s: waiting 3602 s is over the 900 s limit');
  });

  it('selects by id (case-insensitive), rejects unknown ids, gates by severity', () => {
    expect(selectProbes(['p9', 'ISS'], []).map((p) => p.id)).toEqual(['P9', 'iss']);
    expect(selectProbes([], ['P11']).length).toBe(PROBES.length - 1);
    expect(() => selectProbes(['P0'], [])).toThrow(/unknown probe id "P0"/);
    expect(parseSeverity('Medium', '--fail-on')).toBe('medium');
    expect(() => parseSeverity('severe', '--fail-on')).toThrow("--fail-on must be one of critical, high, medium, low, info (got 'severe')");
    const f = (severity: 'critical' | 'medium' | 'info') => ({ probe: severity, title: '', severity, expected: '', observed: '', evidence: [] });
    expect(findingsAtOrAbove([f('critical'), f('medium'), f('info')], 'high').map((x) => x.severity)).toEqual(['critical']);
    expect(findingsAtOrAbove([f('critical'), f('medium'), f('info')], 'info')).toHaveLength(3);
  });

  it('ProbeMix runs round robin and folds: worst status, runs, occurrences', async () => {
    let n = 0;
    const flaky = fake('F', async () => (n++ % 2 === 0 ? { status: 'pass', evidence: [] } : { status: 'finding', observed: `race ${n}`, evidence: [] }));
    const ok = fake('G', async () => ({ status: 'pass', evidence: [] }));
    const mix = new ProbeMix(pc, [flaky, ok]);
    for (let i = 0; i < 8; i++) await mix.runNext();
    const s = mix.summary();
    expect(s.outcomes.map((o) => [o.probe, o.status, o.runs])).toEqual([
      ['F', 'finding', 4],
      ['G', 'pass', 4],
    ]);
    expect(s.findings).toHaveLength(1);
    expect(s.findings[0]).toMatchObject({ probe: 'F', observed: 'race 2', occurrences: 2 });
  });
});
