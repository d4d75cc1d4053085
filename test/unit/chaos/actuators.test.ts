import { describe, expect, it } from 'vitest';
import { resolveActuators } from '../../../src/chaos/actuators/registry.ts';
import type { Fault } from '../../../src/scenario/types.ts';

const toxic: Fault = { name: 'lat', atMs: 0, forMs: 10, endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 5 } } };
const skew: Fault = { name: 'skew', atMs: 0, forMs: 10, endpoint: 'idp', clockSkewMs: 1000 };
const mode: Fault = { name: 'mode', atMs: 0, forMs: 10, endpoint: 'idp', idpMode: 'reject-s256' };

describe('fault actuator registry', () => {
  it('refuses, before the run, a fault no actuator of this run can apply', () => {
    expect(() => resolveActuators([toxic], { faultLayer: null, target: { kind: 'embedded', actuators: {} } })).toThrow(
      /fault lat \(toxic\) cannot be applied in this run: it needs the fault proxies, which --direct turns off/,
    );
    expect(() => resolveActuators([mode], { faultLayer: null, target: { kind: 'remote', actuators: {} } })).toThrow(/idpMode faults need the embedded IdP/);
  });

  it('routes each fault to its kind\'s actuator', async () => {
    const applied: string[] = [];
    const actuator = resolveActuators([skew, mode], {
      faultLayer: null,
      target: {
        kind: 'embedded',
        actuators: {
          clockSkew: {
            async apply(f) {
              applied.push(`skew ${f.clockSkewMs}`);
              return { undo: async () => undefined };
            },
          },
          idpMode: {
            async apply(f) {
              applied.push(`mode ${f.idpMode}`);
              return { undo: async () => undefined };
            },
          },
        },
      },
    });
    await actuator.apply(mode, 1);
    await actuator.apply(skew, 0);
    expect(applied).toEqual(['mode reject-s256', 'skew 1000']);
  });
});
