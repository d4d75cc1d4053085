import { describe, expect, it } from 'vitest';
import { newSpanId, newTraceId, parseTraceparent, spanUrl, traceparent } from '../../../src/flow/trace-context.ts';

describe('W3C trace context', () => {
  it('makes valid, distinct ids across block refills', () => {
    const traces = new Set<string>();
    const spans = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const t = newTraceId();
      const s = newSpanId();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      expect(s).toMatch(/^[0-9a-f]{16}$/);
      traces.add(t);
      spans.add(s);
    }
    expect(traces.size).toBe(2000);
    expect(spans.size).toBe(2000);
  });

  it('formats and parses traceparent (version 00, sampled)', () => {
    const v = traceparent('4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7');
    expect(v).toBe('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(parseTraceparent(v)).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: true });
    expect(parseTraceparent(`00-${'0'.repeat(32)}-00f067aa0ba902b7-01`)).toBeNull();
    expect(parseTraceparent('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01')).toBeNull();
    expect(parseTraceparent('garbage')).toBeNull();
  });

  it('keeps queries and id-like path segments out of span URLs', () => {
    expect(spanUrl(new URL('http://127.0.0.1:4000/interaction/LCMJsQOafGA2i-5FT9IMZVXfaRtvXFCz6KMPg8bVSP2/login?code=abc'))).toBe(
      'http://127.0.0.1:4000/interaction/{id}/login',
    );
    expect(spanUrl(new URL('http://localhost:8080/realms/demo/protocol/openid-connect/token'))).toBe('http://localhost:8080/realms/demo/protocol/openid-connect/token');
    expect(spanUrl(new URL('http://127.0.0.1/cb/a1b2c3d4e5'))).toBe('http://127.0.0.1/cb/{id}');
  });
});
