import { describe, expect, it } from 'vitest';
import { faultName } from '../../../src/scenario/validate-faults.ts';
import { validateScenario } from '../../../src/scenario/validate.ts';
import { invalidMessage, scenario } from './helpers.ts';

const latency = (ms: number) => ({ type: 'latency', attributes: { latency: ms } });

describe('faults: valid plans', () => {
  it('converts times to ms and generates names', () => {
    const plan = validateScenario(
      scenario({
        faults: [
          { at: '10s', for: '10s', toxic: latency(300) },
          { at: '20s', for: '5s', endpoint: 'token', down: true },
          { at: '30s', for: '10s', clockSkewMs: 120_000 },
          { at: '42s', for: '10s', clockSkewMs: -30_000, endpoint: 'idp' },
          { at: '41s', for: '1s', idpMode: 'reject-s256' },
          { at: 0, for: 1000, endpoint: 'authorize', toxic: { type: 'bandwidth', toxicity: 0.5, attributes: { rate: 100 } } },
          { at: '1s', for: '1s', endpoint: 'idp', toxic: { type: 'reset_peer', stream: 'upstream' }, name: 'resets' },
        ],
      }),
      null,
    );
    expect(plan.faults).toEqual([
      { name: 'token latency 300ms', atMs: 10_000, forMs: 10_000, endpoint: 'token', toxic: latency(300) },
      { name: 'token down', atMs: 20_000, forMs: 5000, endpoint: 'token', down: true },
      { name: 'idp clock +120s', atMs: 30_000, forMs: 10_000, endpoint: 'idp', clockSkewMs: 120_000 },
      { name: 'idp clock -30s', atMs: 42_000, forMs: 10_000, endpoint: 'idp', clockSkewMs: -30_000 },
      { name: 'idp reject-s256', atMs: 41_000, forMs: 1000, endpoint: 'idp', idpMode: 'reject-s256' },
      {
        name: 'authorize bandwidth 100KB/s (50%)',
        atMs: 0,
        forMs: 1000,
        endpoint: 'authorize',
        toxic: { type: 'bandwidth', toxicity: 0.5, attributes: { rate: 100 } },
      },
      { name: 'resets', atMs: 1000, forMs: 1000, endpoint: 'idp', toxic: { type: 'reset_peer', stream: 'upstream' } },
    ]);
  });

  it('names latency with jitter', () => {
    expect(
      faultName({
        name: '',
        atMs: 0,
        forMs: 1,
        endpoint: 'token',
        toxic: { type: 'latency', attributes: { latency: 100, jitter: 20 } },
      }),
    ).toBe('token latency 100ms ±20ms');
  });

  it('a fault may end exactly when the run ends', () => {
    expect(validateScenario(scenario({ faults: [{ at: '50s', for: '10s', down: true }] }), null).faults).toHaveLength(1);
  });
});

describe('faults: one-line messages', () => {
  it('faults must fit in the run', () => {
    expect(
      invalidMessage(
        scenario({
          faults: [
            { at: '10s', for: '5s', down: true },
            { at: '90s', for: '5s', down: true },
            { at: '50s', for: '20s', down: true },
          ],
        }),
      ),
    ).toBe('test.json: faults[1].at (90s) is after the run ends (60s); faults[2] ends at 70s, after the run ends (60s)');
  });

  it('a fault cannot start when the run ends', () => {
    expect(invalidMessage(scenario({ faults: [{ at: '60s', for: '1s', down: true }] }))).toBe(
      'test.json: faults[0].at (60s) is when the run ends (60s)',
    );
  });

  it('exactly one of toxic / down / clockSkewMs / idpMode', () => {
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s' }] }))).toBe(
      'test.json: faults[0] needs exactly one of toxic, down, clockSkewMs, idpMode, clientMix (got none)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', down: true, toxic: latency(1) }] }))).toBe(
      'test.json: faults[0] needs exactly one of toxic, down, clockSkewMs, idpMode, clientMix (got toxic and down)',
    );
  });

  it('at and for are required; for > 0', () => {
    expect(invalidMessage(scenario({ faults: [{ down: true }] }))).toBe(
      'test.json: faults[0].at is required; faults[0].for is required',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '0ms', down: true }] }))).toBe(
      'test.json: faults[0].for must be longer than 0 (got "0ms")',
    );
  });

  it('unknown fault and toxic keys', () => {
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', down: true, endpiont: 'token' }] }))).toBe(
      'test.json: faults[0].endpiont is not a known key (did you mean faults[0].endpoint?)',
    );
    expect(
      invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'latency', attributes: { latncy: 5 } } }] })),
    ).toBe('test.json: faults[0].toxic.attributes.latncy is not a known key (did you mean faults[0].toxic.attributes.latency?)');
    expect(
      invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'noop', attributes: { x: 1 } } }] })),
    ).toBe('test.json: faults[0].toxic.attributes.x is not a known key (noop takes no attributes)');
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'noop', toxcity: 1 } }] }))).toBe(
      'test.json: faults[0].toxic.toxcity is not a known key (did you mean faults[0].toxic.toxicity?)',
    );
  });

  it('toxic type must be a Toxiproxy type; "down" gets a hint', () => {
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'down' } }] }))).toBe(
      'test.json: faults[0].toxic.type "down" is not a Toxiproxy toxic (use down: true on the fault)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'latncy' } }] }))).toBe(
      'test.json: faults[0].toxic.type must be one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop (got "latncy"; did you mean latency?)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: {} }] }))).toBe(
      'test.json: faults[0].toxic.type is required (one of latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, noop)',
    );
  });

  it('toxic attributes are non-negative integers; toxicity in [0, 1]; stream', () => {
    expect(
      invalidMessage(
        scenario({
          faults: [
            {
              at: '1s',
              for: '1s',
              toxic: { type: 'latency', stream: 'up', toxicity: 1.5, attributes: { latency: -5, jitter: 2.5 } },
            },
          ],
        }),
      ),
    ).toBe(
      'test.json: faults[0].toxic.stream must be one of upstream, downstream (got "up"); ' +
        'faults[0].toxic.toxicity must be between 0 and 1 (got 1.5); ' +
        'faults[0].toxic.attributes.latency must be a non-negative integer (got -5); ' +
        'faults[0].toxic.attributes.jitter must be a non-negative integer (got 2.5)',
    );
    expect(
      invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'slicer', attributes: { average_size: 0 } } }] })),
    ).toBe('test.json: faults[0].toxic.attributes.average_size must be an integer >= 1 (got 0; 0 crashes Toxiproxy)');
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', toxic: { type: 'latency', attributes: [] } }] }))).toBe(
      'test.json: faults[0].toxic.attributes must be an object (got array)',
    );
  });

  it('down must be true; clock skew a non-zero integer on idp; idpMode on the embedded IdP', () => {
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', down: false }] }))).toBe(
      'test.json: faults[0].down must be true (got false; leave it out otherwise)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', clockSkewMs: 0 }] }))).toBe(
      'test.json: faults[0].clockSkewMs must not be 0 (a skew of 0 is no fault)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', clockSkewMs: 1.5, endpoint: 'token' }] }))).toBe(
      'test.json: faults[0].clockSkewMs must be an integer between -31536000000 and 31536000000 (got 1.5); faults[0].endpoint must be idp for clockSkewMs (got "token"; leave it out)',
    );
    expect(
      invalidMessage(
        scenario({ target: { issuer: 'http://127.0.0.1:9' }, faults: [{ at: '1s', for: '1s', idpMode: 'reject-plain' }] }),
      ),
    ).toBe(
      'test.json: faults[0].idpMode must be one of reject-s256, accept-any-verifier, accept-plain, reusable-codes, ignore-pkce, no-iss, ignore-code-expiry, ignore-redirect-uri, ignore-client (got "reject-plain"; did you mean accept-plain?); faults[0].idpMode needs the embedded IdP (target.issuer is set)',
    );
    expect(invalidMessage(scenario({ faults: [{ at: '1s', for: '1s', down: true, endpoint: 'login' }] }))).toBe(
      'test.json: faults[0].endpoint must be one of authorize, token, idp (got "login")',
    );
  });

  it('faults must be an array of objects', () => {
    expect(invalidMessage(scenario({ faults: {} }))).toBe('test.json: faults must be an array (got object)');
    expect(invalidMessage(scenario({ faults: ['x'] }))).toBe('test.json: faults[0] must be an object (got string)');
  });

  it('skips fault timing checks when the load is invalid, but still reports fault problems', () => {
    expect(invalidMessage({ load: { ratePerSec: 0, duration: '1s' }, faults: [{ at: '9s', for: '1s' }] })).toBe(
      'test.json: load.ratePerSec must be > 0 and at most 100000 (got 0); faults[0] needs exactly one of toxic, down, clockSkewMs, idpMode, clientMix (got none)',
    );
  });
});

describe('fault conflicts', () => {
  it('rejects duplicate names and overlapping faults on the same thing, in one line', async () => {
    const { validateScenario } = await import('../../../src/scenario/validate.ts');
    const input = {
      load: { ratePerSec: 10, duration: '60s' },
      faults: [
        { at: '10s', for: '10s', down: true },
        { at: '15s', for: '10s', endpoint: 'idp', down: true },
        { at: '30s', for: '5s', clockSkewMs: 1000 },
        { at: '40s', for: '5s', clockSkewMs: 1000 },
      ],
    };
    expect(() => validateScenario(input, 'x.json')).toThrow(
      `x.json: faults[3] has the same name as faults[2] ("idp clock +1s"): give one a name; faults[0] and faults[1] overlap in time and both change the token proxy's enabled flag: move one`,
    );
  });

  it('allows overlapping faults on different things', async () => {
    const { validateScenario } = await import('../../../src/scenario/validate.ts');
    const plan = validateScenario(
      {
        load: { ratePerSec: 10, duration: '60s' },
        faults: [
          { at: '10s', for: '10s', toxic: { type: 'latency', attributes: { latency: 100 } } },
          { at: '15s', for: '10s', endpoint: 'authorize', down: true },
        ],
      },
      null,
    );
    expect(plan.faults).toHaveLength(2);
  });

  it('bounds toxic attributes and clock skews (issue 15)', () => {
    const base = { load: { ratePerSec: 1, duration: '10s' } };
    expect(
      invalidMessage({ ...base, faults: [{ at: 0, for: '1s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 1e300 } } }] }),
    ).toBe('test.json: faults[0].toxic.attributes.latency must be at most 2147483647 (got 1e+300)');
    expect(invalidMessage({ ...base, faults: [{ at: 0, for: '1s', clockSkewMs: 1e15 }] })).toContain(
      'faults[0].clockSkewMs must be an integer between -31536000000 and 31536000000 (got 1000000000000000)',
    );
  });
});
