import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { formatSummary, verdictOf } from '../../../src/report/console.ts';
import { buildSyntheticReport } from '../../support/report-fixture.ts';
import { findKnee } from '../../../src/report/knee.ts';
import { createProgress, formatProgressLine, type ProgressSample } from '../../../src/report/progress.ts';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

const sample = (elapsedMs: number): ProgressSample => ({ elapsedMs, ratePerSec: 99.94, inFlight: 7, p95Ms: 23.456, errors: 2, phase: 'baseline' });

describe('formatSummary', () => {
  it('summarises flows, endpoints, failures, gates, knee, faults and paths', () => {
    const r = buildSyntheticReport({ ramp: { fromRatePerSec: 50, toRatePerSec: 250 }, breakAtRatePerSec: 150, name: 'cap\u001b[31m' });
    r.knee = findKnee(r, { p95Ms: 200, endpoint: 'token' });
    const text = formatSummary(r, { json: '/r/report.json', html: '/r/report.html', junit: '/r/junit.xml' });
    const lines = text.trimEnd().split('\n');
    // The whole ANSI sequence goes, not only its ESC byte (issue 15: an issuer or error text must not drive the terminal).
    expect(lines[0]).toBe('tokenstorm: cap? (open model, flow mode) 60.0 s');
    expect(lines[1]).toMatch(/^flows {6}started \d+ {2}completed \d+ {2}failed \d+ {2}dropped \d+ {2}\d+\.\d completed\/s$/);
    expect(text).toMatch(/^ {2}endpoint +count +errors +min +mean +p50 +p95 +p99 +max +service p99 +queued p99 \(ms\)$/m);
    expect(text).toMatch(/^ {2}token +\d+ +\d+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +[\d.]+ +(-|[\d.]+)$/m);
    expect(text).toMatch(/^failures {3}server_error \d+, /m);
    expect(text).toMatch(/^thresholds FAIL token:p\(95\)<200 \(actual [\d.]+\)$/m);
    expect(text).toMatch(/^knee {7}sustained 14\d\.\d\/s, broke at 15\d\.\d\/s \(token p95/m);
    expect(text).toContain('fault      token: latency 150ms at 20.0 s for 10.0 s: detected after 1.0 s, recovered 2.0 s after it ended');
    expect(text).toContain('reports    /r/report.json\n           /r/report.html\n           /r/junit.xml');
    expect(lines.at(-1)).toBe('result     FAIL: 1 threshold(s) failed');
    expect(text).not.toContain('\u001b');
  });

  it('passes a healthy run and flags a partial one', () => {
    const ok = buildSyntheticReport({ durationSec: 10, fault: null });
    expect(verdictOf(ok)).toEqual({ verdict: 'PASS', partial: false, reasons: [] });
    expect(formatSummary(ok).trimEnd().split('\n').at(-1)).toBe('result     PASS');
    const partial = { ...ok, partial: true };
    expect(formatSummary(partial)).toContain('[PARTIAL: stopped early]');
    expect(formatSummary(partial).trimEnd().split('\n').at(-1)).toBe('result     PASS: run stopped early (partial report)');
  });
});

describe('createProgress', () => {
  it('writes nothing when quiet', () => {
    const sink = new Sink();
    const p = createProgress({ quiet: true, isTTY: true, totalMs: 60_000, stream: sink });
    p.update(sample(1000));
    p.stop();
    expect(sink.text).toBe('');
  });

  it('writes a plain line every 5 s of run time when not a TTY', () => {
    const sink = new Sink();
    const p = createProgress({ quiet: false, isTTY: false, totalMs: 60_000, stream: sink });
    for (let ms = 0; ms <= 12_000; ms += 250) p.update(sample(ms));
    p.stop();
    p.update(sample(20_000));
    expect(sink.text.split('\n').filter(Boolean)).toEqual([
      formatProgressLine(sample(0), 60_000).trimEnd(),
      formatProgressLine(sample(5000), 60_000).trimEnd(),
      formatProgressLine(sample(10_000), 60_000).trimEnd(),
    ]);
    expect(formatProgressLine(sample(5000), 60_000)).toBe(
      'tokenstorm: 5s/60s phase=baseline rate=99.9/s inflight=7 p95=23.5ms errors=2\n',
    );
  });

  it('draws a cli-progress bar with the payload on a TTY', () => {
    // cli-progress draws only on a stream that says it is a terminal (it moves the cursor with readline).
    const sink = Object.assign(new Sink(), { isTTY: true, columns: 200 });
    const p = createProgress({ quiet: false, isTTY: true, totalMs: 60_000, stream: sink });
    p.update(sample(30_000));
    p.stop();
    expect(sink.text).toContain('30/60s left 30s | baseline | 99.9/s in flight 7 | p95 23.5ms | errors 2');
  });
});
