import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { parseThreshold } from '../../../src/report/thresholds.ts';

function parseError(expr: string): string {
  try {
    parseThreshold(expr);
  } catch (err) {
    expect(isTokenstormError(err, 'ERR_THRESHOLD_INVALID')).toBe(true);
    return (err as Error).message;
  }
  throw new Error(`expected ${expr} to be rejected`);
}

describe('parseThreshold: valid', () => {
  it.each([
    ['token:p(95)<200', 'token', { kind: 'percentile', percentile: 95 }, '<', 200],
    [' token : p( 99.9 ) <= 1e3 ', 'token', { kind: 'percentile', percentile: 99.9 }, '<=', 1000],
    ['flow:rate(failed)<0.01', 'flow', { kind: 'rate_failed' }, '<', 0.01],
    ['flow: rate( failed ) == 0', 'flow', { kind: 'rate_failed' }, '==', 0],
    ['authorize:max>=.5', 'authorize', { kind: 'max' }, '>=', 0.5],
    ['login:avg>10', 'login', { kind: 'avg' }, '>', 10],
    ['login:mean>10', 'login', { kind: 'avg' }, '>', 10],
    ['callback:med<5', 'callback', { kind: 'percentile', percentile: 50 }, '<', 5],
    ['callback:min<5', 'callback', { kind: 'percentile', percentile: 0 }, '<', 5],
    ['refresh:count>=100', 'refresh', { kind: 'count' }, '>=', 100],
    ['consent:p(0)>-1', 'consent', { kind: 'percentile', percentile: 0 }, '>', -1],
    ['token:p(100)<9', 'token', { kind: 'percentile', percentile: 100 }, '<', 9],
  ] as const)('%s', (expr, endpoint, metric, op, value) => {
    expect(parseThreshold(expr)).toEqual({ expr, endpoint, metric, op, value });
  });
});

describe('parseThreshold: invalid, one message with the expression and what is wrong', () => {
  it.each([
    ['p(95)<200', `threshold "p(95)<200": missing '<endpoint>:' prefix (e.g. 'token:p(95)<200')`],
    ['tokn:p(95)<200', 'threshold "tokn:p(95)<200": unknown endpoint "tokn" (did you mean token?)'],
    [
      'http_req_duration:p(95)<200',
      'threshold "http_req_duration:p(95)<200": unknown endpoint "http_req_duration" (one of par, authorize, login, consent, callback, token, refresh, flow)',
    ],
    ['token:p(95)', 'threshold "token:p(95)": missing comparison (<, <=, >, >=, ==)'],
    ['token:p(95)=200', `threshold "token:p(95)=200": '=' is not a comparison (use <, <=, >, >= or ==)`],
    ['token:p(95)!=200', `threshold "token:p(95)!=200": '!=' is not a comparison (use <, <=, >, >= or ==)`],
    ['token:<200', `threshold "token:<200": missing metric before '<' (use p(N), avg, med, min, max, rate(failed), rate(dropped) or count)`],
    ['token:p(95)<', 'threshold "token:p(95)<": "" is not a number'],
    ['token:p(95)<200ms', 'threshold "token:p(95)<200ms": "200ms" is not a number'],
    ['token:p(101)<200', 'threshold "token:p(101)<200": percentile 101 is out of range (0-100)'],
    ['token:p(x)<200', 'threshold "token:p(x)<200": p(x) needs a number, e.g. p(95)'],
    ['token:p95<200', 'threshold "token:p95<200": unknown metric "p95" (did you mean p(95)?)'],
    ['token:mx<200', 'threshold "token:mx<200": unknown metric "mx" (did you mean max? use p(N), avg, med, min, max, rate(failed), rate(dropped) or count)'],
    [
      'token:stddev<200',
      'threshold "token:stddev<200": unknown metric "stddev" (use p(N), avg, med, min, max, rate(failed), rate(dropped) or count)',
    ],
    ['flow:rate(failed)<5', 'threshold "flow:rate(failed)<5": rate(failed) is a ratio 0..1 (got 5; 1% is 0.01)'],
  ])('%s', (expr, message) => {
    expect(parseError(expr)).toBe(message);
  });
});
