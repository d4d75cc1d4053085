/**
 * tokenstorm thresholds (`token:p(95)<200`) in k6's terms: the exported script's metrics carry
 * the endpoint class, so most translate one to one. What k6 cannot express is listed, not dropped
 * silently, and still gated by `tokenstorm import k6` on the imported data.
 */
import { parseThreshold } from '../report/thresholds.ts';

/** Result of {@link translateThresholds}. */
export interface K6Thresholds {
  /** k6 `options.thresholds`. */
  thresholds: Record<string, string[]>;
  /** Expressions k6 cannot gate, with why; `import k6 --threshold` gates them on the imported data. */
  untranslated: Array<{ expr: string; why: string }>;
}

/**
 * Translates each expression; throws ERR_THRESHOLD_INVALID for one tokenstorm itself rejects.
 *
 * @example
 * translateThresholds(['token:p(95)<200', 'flow:rate(failed)<0.01']).thresholds;
 * // { tokenstorm_token: ['p(95)<200'], tokenstorm_flow_failed: ['rate<0.01'] }
 */
export function translateThresholds(exprs: readonly string[]): K6Thresholds {
  const thresholds: Record<string, string[]> = {};
  const untranslated: K6Thresholds['untranslated'] = [];
  const add = (metric: string, cond: string): void => {
    const list = thresholds[metric] ?? [];
    if (!list.includes(cond)) list.push(cond);
    thresholds[metric] = list;
  };
  for (const expr of exprs) {
    const t = parseThreshold(expr);
    const cmp = `${t.op}${t.value}`;
    const trend = `tokenstorm_${t.endpoint}`;
    switch (t.metric.kind) {
      case 'percentile': {
        const p = t.metric.percentile;
        add(trend, `${p === 0 ? 'min' : p === 100 ? 'max' : `p(${p})`}${cmp}`);
        break;
      }
      case 'avg':
        add(trend, `avg${cmp}`);
        break;
      case 'max':
        add(trend, `max${cmp}`);
        break;
      case 'count':
        add(t.endpoint === 'flow' ? 'iterations' : `http_reqs{name:${t.endpoint}}`, `count${cmp}`);
        break;
      case 'rate_failed':
        if (t.endpoint === 'flow') add('tokenstorm_flow_failed', `rate${cmp}`);
        else untranslated.push({ expr, why: 'k6 has no failed-exchange rate per endpoint class in the exported metrics (http_req_failed counts statuses, not tokenstorm failures)' });
        break;
      case 'rate_dropped':
        untranslated.push({ expr, why: 'k6 counts dropped_iterations but has no rate of them over arrivals' });
        break;
    }
  }
  return { thresholds, untranslated };
}
