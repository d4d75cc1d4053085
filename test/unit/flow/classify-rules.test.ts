import { describe, expect, it } from 'vitest';
import { CLASSIFY_RULES } from '../../../src/flow/classify-rules.ts';
import { FAILURE_CLASSES } from '../../../src/report/schema.ts';

/** Every class id the shared table can produce. */
function classesInRules(): string[] {
  const r = CLASSIFY_RULES;
  return [
    ...r.statusFirst.map((s) => s.failureClass),
    ...r.grant.map((g) => g.failureClass),
    r.grantFallback,
    ...r.request.map((g) => g.failureClass),
    r.requestFallback,
    ...r.errors.flatMap((e) => [e.failureClass, ...(e.failureClassIf5xx ? [e.failureClassIf5xx] : [])]),
    r.unknown5xx,
    r.unknownFallback,
    r.unexpectedStatus.status429,
    r.unexpectedStatus.status5xx,
  ];
}

describe('classify rule table', () => {
  it('uses only stable failure class ids', () => {
    for (const c of classesInRules()) expect(FAILURE_CLASSES).toContain(c);
  });
  it('is plain data (survives JSON, so it can be embedded in a k6 bundle and compared)', () => {
    expect(JSON.parse(JSON.stringify(CLASSIFY_RULES))).toEqual(CLASSIFY_RULES);
    for (const p of [...CLASSIFY_RULES.grant, ...CLASSIFY_RULES.request]) expect(() => new RegExp(p.pattern, 'i')).not.toThrow();
  });
});
