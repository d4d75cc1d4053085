/**
 * A fault the fault server refuses is reported in the server's own words (toxiproxy-node-client
 * alone would only say "Request failed with status code 409").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultLayer } from '../../../src/chaos/fault-layer.ts';
import type { Fault } from '../../../src/scenario/types.ts';

let layer: FaultLayer;
beforeAll(async () => {
  layer = await FaultLayer.open(null);
  await layer.createRoutes({ host: '127.0.0.1', port: 9 }, 'errtest');
});
afterAll(() => layer.close());

describe('fault layer errors', () => {
  it('carries the fault server\'s error text when a toxic is refused', async () => {
    const fault: Fault = { name: 'dup', atMs: 0, forMs: 1000, endpoint: 'token', toxic: { type: 'latency', name: 'same', attributes: { latency: 1 } } };
    const first = await layer.apply(fault, 0);
    await expect(layer.apply(fault, 1)).rejects.toThrow('Toxiproxy answered 409: toxic already exists');
    await first.undo();
  });
});
