// Game day: the token endpoint goes away. From 10 s to 18 s the proxy in front of the token route
// is disabled (Toxiproxy `enabled: false`; there is no "down" toxic), so new connections are refused
// and open ones closed. Flows that reach the token step in that window fail as connection_refused —
// expected here, so they are reported as the fault's effect rather than as a surprise.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'gameday-idp-outage',
  description: 'token endpoint unreachable for 8 s under 30 flows/s',
  load: { ratePerSec: 30, duration: '40s' },
  faults: [{ at: '10s', for: '8s', endpoint: 'token', down: true }],
  slo: { errorRate: 0.05 },
  expectFailures: ['connection_refused'],
});
