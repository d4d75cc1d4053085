/**
 * The three bundled game days once against the real Toxiproxy 2.12 that the `real-toxiproxy`
 * vitest project starts (see vitest.config.ts and test/setup/real-toxiproxy.ts): the fault layer
 * drives it through toxiproxy-node-client exactly as `tokenstorm run --toxiproxy URL` does.
 */
import { inject } from 'vitest';
import { defineGameDays } from '../gameday/gameday-cases.ts';

const url = inject('toxiproxyUrl') || process.env['TOXIPROXY_URL'] || '';
if (url === '') throw new Error('no real Toxiproxy: this file runs in the real-toxiproxy project (see vitest.config.ts)');

defineGameDays('real Toxiproxy 2.12', () => ({ toxiproxyUrl: url }));
