// Smoke: the shortest run that proves the whole chain works — 20 full authorize → login →
// callback → token flows per second for 10 s against the embedded IdP, open model (flows start
// on schedule whether or not earlier ones have finished, so a slow IdP shows up as latency, not as
// a quietly lower rate). It gates on almost no failed flows and a sane token p95.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'smoke',
  description: 'a quick end-to-end check: 20 flows/s for 10 s',
  load: { model: 'open', ratePerSec: 20, duration: '10s' },
  thresholds: ['flow:rate(failed)<0.01', 'token:p(95)<500'],
});
