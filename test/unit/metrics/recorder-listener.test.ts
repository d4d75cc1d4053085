import { describe, expect, it } from 'vitest';
import { Recorder } from '../../../src/metrics/recorder.ts';
import { fanOut, IGNORE_ALL, type RecorderListener } from '../../../src/metrics/recorder-listener.ts';

function spy(): { listener: RecorderListener; events: string[] } {
  const events: string[] = [];
  const listener: RecorderListener = {
    exchange: (e, s, l, ok) => events.push(`exchange ${e} ${s} ${l} ${ok}`),
    flowStarted: (late) => events.push(`started ${late}`),
    flowDropped: () => events.push('dropped'),
    flowEnded: (ok) => events.push(`ended ${ok}`),
    failure: (ev, sample) => events.push(`failure ${ev.failureClass} ${sample ? sample.traceId : 'no-trace'}`),
    phase: (name, faults) => events.push(`phase ${name} [${faults.join(',')}]`),
    request: (r) => events.push(`request ${r.endpoint} ${r.status}`),
  };
  return { listener, events };
}

describe('Recorder listener', () => {
  it('forwards every recorded event, in order, and tells the current phase on attach', () => {
    let now = 0;
    const rec = new Recorder({ now: () => now });
    rec.flowStarted(0); // before attaching: not forwarded
    const { listener, events } = spy();
    rec.listen(listener);
    rec.flowStarted(50);
    rec.exchange('token', 1000, 3000, true);
    rec.flowEnded(true, 3000, 1000);
    rec.flowDropped();
    now = 1000;
    rec.beginPhase('token down', ['token: down']);
    rec.failure({ failureClass: 'connection_refused', endpoint: 'token' }, { traceId: 'a'.repeat(32), flowIndex: 3 });
    rec.failure({ failureClass: 'other', endpoint: 'flow' });
    rec.request({ endpoint: 'token', method: 'POST', target: 'http://127.0.0.1/token', traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), startMs: 0, serviceUs: 5, status: 200 });
    expect(events).toEqual([
      'phase baseline []',
      'started true',
      'exchange token 1000 3000 true',
      'exchange flow 1000 3000 true',
      'ended true',
      'dropped',
      'phase token down [token: down]',
      `failure connection_refused ${'a'.repeat(32)}`,
      'failure other no-trace',
      'request token 200',
    ]);
    // After finish, nothing is recorded and nothing forwarded.
    rec.finish();
    rec.flowStarted(0);
    rec.request({ endpoint: 'token', method: 'POST', target: 'x', traceId: 'a', spanId: 'b', startMs: 0, serviceUs: 1, status: 200 });
    expect(events).toHaveLength(10);
    rec.listen(null);
    expect(rec.listening).toBe(false);
  });

  it('keeps a bounded sample of failed flows per class, with trace id, flow index, phase and redacted evidence', () => {
    let now = 0;
    const rec = new Recorder({ now: () => now, samplesPerClass: 3 });
    const secret = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A';
    for (let i = 0; i < 10; i++) {
      now = 100 * i;
      rec.failure(
        { failureClass: 'pkce_mismatch', endpoint: 'token', status: 400, error: 'invalid_grant', description: `verifier ${secret} mismatch` },
        { traceId: i.toString(16).padStart(32, '0'), flowIndex: i },
      );
    }
    rec.failure({ failureClass: 'server_error', endpoint: 'token', status: 500 }, { traceId: 'f'.repeat(32), flowIndex: 42 });
    rec.failure({ failureClass: 'server_error', endpoint: 'token', status: 500 }); // no trace: not a sample
    const r = rec.finish();
    expect(r.failures).toEqual({ pkce_mismatch: 10, server_error: 2 });
    expect(r.failureSamples.map((s) => [s.failureClass, s.flowIndex])).toEqual([
      ['pkce_mismatch', 0],
      ['pkce_mismatch', 1],
      ['pkce_mismatch', 2],
      ['server_error', 42],
    ]);
    expect(r.failureSamples[1]).toMatchObject({ traceId: '1'.padStart(32, '0'), phase: 'baseline', atMs: 100, endpoint: 'token', status: 400, error: 'invalid_grant' });
    expect(JSON.stringify(r.failureSamples)).not.toContain(secret);
    expect(r.failureSamples[0]!.description).toContain('[redacted]');
  });

  it('fanOut sends each event to every listener; IGNORE_ALL fills what a listener does not need', () => {
    const a = spy();
    const b = spy();
    const c: RecorderListener = { ...IGNORE_ALL, flowDropped: () => b.events.push('c dropped') };
    const rec = new Recorder({ now: () => 0 });
    rec.listen(fanOut([a.listener, b.listener, c]));
    rec.flowDropped();
    expect(a.events).toEqual(['phase baseline []', 'dropped']);
    expect(b.events).toEqual(['phase baseline []', 'dropped', 'c dropped']);
  });
});
