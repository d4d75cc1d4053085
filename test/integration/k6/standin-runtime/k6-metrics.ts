// Stand-in for `k6/metrics` (see README.md here): every add() becomes a k6 `--out json` Point line
// in globalThis.__K6_STANDIN_LINES (Metric lines first, as k6 writes them).
const g = globalThis as unknown as { __K6_STANDIN_LINES: string[]; __K6_STANDIN_TAGS: Record<string, string> };
g.__K6_STANDIN_LINES ??= [];

class Metric {
  readonly name: string;
  constructor(name: string, type: string, isTime: boolean) {
    this.name = name;
    g.__K6_STANDIN_LINES.push(JSON.stringify({ type: 'Metric', data: { type, contains: isTime ? 'time' : 'default', tainted: null, thresholds: [], submetrics: null }, metric: name }));
  }
  add(value: number | boolean, tags?: Record<string, string>): void {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    g.__K6_STANDIN_LINES.push(JSON.stringify({ type: 'Point', data: { time: new Date().toISOString(), value: v, tags: { ...(g.__K6_STANDIN_TAGS ?? {}), ...(tags ?? {}) } }, metric: this.name }));
  }
}

export class Trend extends Metric {
  constructor(name: string, isTime = false) {
    super(name, 'trend', isTime);
  }
}
export class Rate extends Metric {
  constructor(name: string) {
    super(name, 'rate', false);
  }
}
