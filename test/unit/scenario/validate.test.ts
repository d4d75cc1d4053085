import { describe, expect, it } from 'vitest';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { invalidMessage, scenario } from './helpers.ts';

describe('validateScenario: defaults and plan shape', () => {
  it('fills every default for a constant open-model rate', () => {
    const plan = validateScenario({ load: { ratePerSec: 20, duration: '10s' } }, 'scenarios/smoke.json');
    expect(plan).toEqual({
      name: 'smoke',
      description: '',
      file: 'scenarios/smoke.json',
      mode: 'flow',
      model: 'open',
      stages: [{ durationMs: 10_000, targetRatePerSec: 20 }],
      startRatePerSec: 20,
      totalDurationMs: 10_000,
      search: null,
      maxInFlight: 256,
      maxFlows: null,
      connections: 64,
      primeFlows: 20,
      requestTimeoutMs: 10_000,
      connectTimeoutMs: 5_000,
      maxBodyBytes: 1024 * 1024,
      maxPageBytes: 2 * 1024 * 1024,
      codeBank: { size: 256, maxAgeMs: 30_000, producers: 8 },
      refresh: { sessions: 32 },
      target: {
        issuer: null,
        clientId: null,
        redirectUri: null,
        scope: 'openid',
        username: 'alice',
        password: 'secret',
        codeTtlSec: 60,
        client: { auth: 'none', assertionAlg: 'ES256', dpop: null, par: false },
        login: { driver: 'oidc-provider' },
      },
      faults: [],
      slo: { p95Ms: null, errorRate: null, endpoint: 'token' },
      thresholds: [],
      expectFailures: [],
    });
  });

  it('names an inline scenario "scenario"', () => {
    expect(validateScenario(scenario(), null).name).toBe('scenario');
  });

  it('ramps start from 0 unless load.startRatePerSec says otherwise', () => {
    const stages = [
      { duration: '10s', target: 50 },
      { duration: '1m', target: 100 },
    ];
    const plan = validateScenario({ load: { stages } }, null);
    expect(plan.startRatePerSec).toBe(0);
    expect(plan.stages).toEqual([
      { durationMs: 10_000, targetRatePerSec: 50 },
      { durationMs: 60_000, targetRatePerSec: 100 },
    ]);
    expect(plan.totalDurationMs).toBe(70_000);
    expect(validateScenario({ load: { stages, startRatePerSec: 5 } }, null).startRatePerSec).toBe(5);
  });

  it('closed model: constant VUs and VU stages', () => {
    const constant = validateScenario({ load: { model: 'closed', vus: 4, duration: 5000 } }, null);
    expect(constant.stages).toEqual([{ durationMs: 5000, vus: 4 }]);
    expect(constant.startRatePerSec).toBe(0);
    const staged = validateScenario({ load: { model: 'closed', stages: [{ duration: '5s', vus: 2 }] } }, null);
    expect(staged.stages).toEqual([{ durationMs: 5000, vus: 2 }]);
  });

  it('keeps bounds, target, slo, thresholds and expected failures', () => {
    const plan = validateScenario(
      scenario(
        {
          mode: 'token',
          codeBank: { size: 10, maxAge: '5s', producers: 2 },
          target: { issuer: 'http://127.0.0.1:4000/oidc', clientId: 'c1', redirectUri: 'http://localhost/cb', codeTtlSec: 30 },
          slo: { p95Ms: 200, errorRate: 0.01, endpoint: 'flow' },
          thresholds: ['token:p(95)<200'],
          expectFailures: ['clock_skew'],
        },
        { maxInFlight: 8, maxFlows: 100, connections: 2, requestTimeout: '2s', connectTimeout: '500ms' },
      ),
      null,
    );
    expect(plan.mode).toBe('token');
    expect([plan.maxInFlight, plan.maxFlows, plan.connections, plan.requestTimeoutMs, plan.connectTimeoutMs]).toEqual([
      8, 100, 2, 2000, 500,
    ]);
    expect(plan.codeBank).toEqual({ size: 10, maxAgeMs: 5000, producers: 2 });
    expect(plan.target.issuer).toBe('http://127.0.0.1:4000/oidc');
    expect(plan.slo).toEqual({ p95Ms: 200, errorRate: 0.01, endpoint: 'flow' });
    expect(plan.thresholds).toEqual(['token:p(95)<200']);
    expect(plan.expectFailures).toEqual(['clock_skew']);
  });

  it('accepts every loopback issuer form', () => {
    for (const issuer of ['http://127.0.0.1:1', 'https://localhost/x', 'http://[::1]:8080/']) {
      expect(validateScenario(scenario({ target: { issuer } }), null).target.issuer).toBe(issuer);
    }
  });
});

describe('validateScenario: one-line messages', () => {
  it('rejects a non-object scenario', () => {
    expect(invalidMessage([1])).toBe('test.json: the scenario must be an object (got array)');
    expect(invalidMessage(null, null)).toBe('scenario: the scenario must be an object (got null)');
  });

  it('rejects unknown keys at every level with the nearest known key', () => {
    expect(invalidMessage(scenario({}, { ratePercSec: 5 }))).toBe(
      'test.json: load.ratePercSec is not a known key (did you mean load.ratePerSec?)',
    );
    expect(invalidMessage({ ...scenario(), lod: {} })).toBe('test.json: lod is not a known key (did you mean load?)');
    expect(invalidMessage({ ...scenario(), zzzzzz: 1 })).toBe(
      'test.json: zzzzzz is not a known key (known keys: name, description, mode, load, codeBank, refresh, target, faults, slo, thresholds, expectFailures, probes)',
    );
    expect(invalidMessage(scenario({ target: { isuer: 'http://127.0.0.1' } }))).toBe(
      'test.json: target.isuer is not a known key (did you mean target.issuer?)',
    );
    expect(invalidMessage({ load: { stages: [{ duration: '1s', traget: 5 }] } })).toBe(
      'test.json: load.stages[0].traget is not a known key (did you mean load.stages[0].target?); load.stages[0].target is required for the open model',
    );
  });

  it('bounds load.primeFlows', () => {
    expect(invalidMessage({ load: { ratePerSec: 5, duration: '2s', primeFlows: -1 } })).toBe('test.json: load.primeFlows must be an integer between 0 and 1000 (got -1)');
    expect(invalidMessage({ load: { ratePerSec: 5, duration: '2s', primeFlows: 2.5 } })).toBe('test.json: load.primeFlows must be an integer between 0 and 1000 (got 2.5)');
  });

  it('collects every problem into one line', () => {
    expect(
      invalidMessage({ mode: 'flw', load: { ratePerSec: -1, duration: '10x', maxInFlight: 0 }, slo: { errorRate: 2 } }),
    ).toBe(
      'test.json: mode must be one of flow, token, refresh, client_credentials (got "flw"; did you mean flow?); ' +
        'load.ratePerSec must be > 0 and at most 100000 (got -1); ' +
        "load.duration must be a duration like '500ms', '10s', '2m' or a number of ms (got \"10x\"); " +
        'load.maxInFlight must be an integer between 1 and 100000 (got 0); ' +
        'slo.errorRate must be between 0 and 1 (got 2)',
    );
  });

  it('checks types', () => {
    expect(invalidMessage(scenario({ name: 3 }, { ratePerSec: '5' }))).toBe(
      'test.json: name must be a string (got number); load.ratePerSec must be a number > 0 and at most 100000 (got string)',
    );
    expect(invalidMessage(scenario({}, { connections: 1.5 }))).toBe(
      'test.json: load.connections must be an integer between 1 and 10000 (got 1.5)',
    );
    expect(invalidMessage({ load: 'fast' })).toBe('test.json: load must be an object (got string)');
  });

  it('requires load', () => {
    expect(invalidMessage({})).toBe('test.json: load is required (load.ratePerSec with load.duration, or load.stages)');
  });

  it('stages XOR rate/vus + duration', () => {
    expect(invalidMessage({ load: { ratePerSec: 5, duration: '1s', stages: [{ duration: '1s', target: 1 }] } })).toBe(
      'test.json: load.ratePerSec cannot be combined with load.stages (give one or the other); ' +
        'load.duration cannot be combined with load.stages (give one or the other)',
    );
    expect(invalidMessage({ load: { ratePerSec: 5 } })).toBe('test.json: load.duration is required (or give load.stages)');
    expect(invalidMessage({ load: { stages: [] } })).toBe('test.json: load.stages must not be empty');
    expect(invalidMessage({ load: { stages: {} } })).toBe('test.json: load.stages must be an array (got object)');
    expect(invalidMessage({ load: { stages: [{ target: 5 }] } })).toBe('test.json: load.stages[0].duration is required');
    expect(invalidMessage({ load: { stages: [{ duration: '0s', target: 5 }] } })).toBe(
      'test.json: load.stages[0].duration must be longer than 0 (got "0s")',
    );
  });

  it('open model needs rates, closed needs VUs', () => {
    expect(invalidMessage({ load: { duration: '1s' } })).toBe(
      'test.json: load.ratePerSec is required for the open model (or give load.stages)',
    );
    expect(invalidMessage({ load: { vus: 3, duration: '1s' } })).toBe(
      'test.json: load.vus is only for the closed model (load.model is open); load.ratePerSec is required for the open model (or give load.stages)',
    );
    expect(invalidMessage({ load: { model: 'closed', ratePerSec: 3, duration: '1s' } })).toBe(
      'test.json: load.ratePerSec is only for the open model (load.model is closed); ' +
        'load.vus is required for the closed model (or give load.stages)',
    );
    expect(invalidMessage({ load: { model: 'closed', stages: [{ duration: '1s', target: 3 }] } })).toBe(
      'test.json: load.stages[0].target is only for the open model (use vus); load.stages[0].vus is required for the closed model',
    );
    expect(invalidMessage({ load: { model: 'closed', stages: [{ duration: '1s', vus: 1 }], startRatePerSec: 1 } })).toBe(
      'test.json: load.startRatePerSec is only for the open model (load.model is closed)',
    );
    expect(invalidMessage({ load: { ratePerSec: 1, duration: '1s', startRatePerSec: 1 } })).toBe(
      'test.json: load.startRatePerSec is only used with load.stages',
    );
  });

  it('load.ratePerSec must be > 0; maxInFlight >= 1; timeouts > 0', () => {
    expect(invalidMessage(scenario({}, { ratePerSec: 0 }))).toBe('test.json: load.ratePerSec must be > 0 and at most 100000 (got 0)');
    expect(invalidMessage(scenario({}, { maxInFlight: 0 }))).toBe('test.json: load.maxInFlight must be an integer between 1 and 100000 (got 0)');
    expect(invalidMessage(scenario({}, { requestTimeout: 0 }))).toBe('test.json: load.requestTimeout must be longer than 0 (got 0)');
    expect(invalidMessage(scenario({}, { maxFlows: -1 }))).toBe('test.json: load.maxFlows must be an integer between 1 and 1000000000 (got -1)');
  });

  it('token mode needs the open model', () => {
    expect(invalidMessage({ mode: 'token', load: { model: 'closed', vus: 2, duration: '5s' } })).toBe(
      'test.json: mode token needs the open model (load.model is closed): requests are scheduled at a rate',
    );
  });

  it('issuer must be an http(s) URL on loopback', () => {
    expect(invalidMessage(scenario({ target: { issuer: 'https://idp.example.com' } }))).toBe(
      'test.json: target.issuer must be on 127.0.0.1, localhost or [::1] (got host "idp.example.com"): load only goes to this machine',
    );
    expect(invalidMessage(scenario({ target: { issuer: 'ftp://127.0.0.1/' } }))).toBe(
      'test.json: target.issuer must be an http(s) URL (got "ftp://127.0.0.1/")',
    );
    expect(invalidMessage(scenario({ target: { issuer: 'not a url' } }))).toBe(
      'test.json: target.issuer must be an http(s) URL (got "not a url")',
    );
  });

  it('target strings, never echoing a password', () => {
    expect(invalidMessage(scenario({ target: { password: 12345, scope: ' ', codeTtlSec: 0 } }))).toBe(
      'test.json: target.scope must not be empty; target.password must be a string (got number); target.codeTtlSec must be an integer >= 1 (got 0)',
    );
    expect(invalidMessage(scenario({ target: { redirectUri: 'cb' } }))).toBe(
      'test.json: target.redirectUri must be an absolute URL (got "cb")',
    );
  });

  it('code bank: limits and max age below the code TTL', () => {
    expect(invalidMessage(scenario({ codeBank: { size: 0, producers: 0 } }))).toBe(
      'test.json: codeBank.size must be an integer between 1 and 100000 (got 0); codeBank.producers must be an integer between 1 and 1024 (got 0)',
    );
    expect(invalidMessage(scenario({ codeBank: { maxAge: '90s' } }))).toBe(
      'test.json: codeBank.maxAge (90s) must be below target.codeTtlSec (60s): older banked codes would expire at the IdP',
    );
  });

  it('slo keys and endpoint', () => {
    expect(invalidMessage(scenario({ slo: { p95Ms: 0, endpoint: 'tokn' } }))).toBe(
      'test.json: slo.p95Ms must be > 0 (got 0); slo.endpoint must be one of par, authorize, login, consent, callback, token, refresh, flow (got "tokn"; did you mean token?)',
    );
  });

  it('thresholds are parsed with parseThreshold', () => {
    expect(invalidMessage(scenario({ thresholds: ['token:p(95)<200', 'token:p95<200', 5] }))).toBe(
      'test.json: thresholds[1] "token:p95<200": unknown metric "p95" (did you mean p(95)?); ' +
        "thresholds[2] must be a string like 'token:p(95)<200' (got number)",
    );
    expect(invalidMessage(scenario({ thresholds: 'token:p(95)<200' }))).toBe('test.json: thresholds must be an array (got string)');
  });

  it('expectFailures are failure classes', () => {
    expect(invalidMessage(scenario({ expectFailures: ['clock_skw'] }))).toMatch(
      /^test\.json: expectFailures\[0\] must be one of pkce_mismatch, .*, other \(got "clock_skw"; did you mean clock_skew\?\)$/,
    );
  });

  it('bounds rates, durations, stages and body caps, naming the limit (issue 15)', () => {
    expect(invalidMessage(scenario({}, { ratePerSec: 1e308 }))).toBe('test.json: load.ratePerSec must be > 0 and at most 100000 (got 1e+308)');
    expect(invalidMessage(scenario({}, { ratePerSec: 1e9 }))).toBe('test.json: load.ratePerSec must be > 0 and at most 100000 (got 1000000000)');
    expect(invalidMessage(scenario({}, { duration: '48h' }))).toBe('test.json: load.duration must be at most 86400s (got "48h")');
    expect(invalidMessage(scenario({}, { maxFlows: 1e12 }))).toBe('test.json: load.maxFlows must be an integer between 1 and 1000000000 (got 1000000000000)');
    expect(invalidMessage(scenario({}, { maxBodyBytes: 10 }))).toContain('load.maxBodyBytes must be an integer between 1024 and 268435456 (got 10)');
    const stages = (n: number, target: number) => Array.from({ length: n }, () => ({ duration: '1s', target }));
    expect(invalidMessage({ load: { stages: stages(1, 5e6) } })).toContain('load.stages[0].target must be between 0 and 100000 (got 5000000)');
    expect(invalidMessage({ load: { stages: stages(1001, 1) } })).toContain('load.stages has 1001 stages; at most 1000 are allowed');
    expect(invalidMessage({ load: { stages: [{ duration: '20h', target: 1 }, { duration: '20h', target: 1 }] } })).toContain('at most 86400s is allowed');
  });
});
