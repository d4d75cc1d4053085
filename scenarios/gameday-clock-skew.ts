// Game day: the IdP's clock jumps 2 minutes ahead. From 10 s to 20 s the embedded IdP stamps
// tokens with a clock 120 s in the future, so ID tokens arrive with `iat` in the future. The harness
// checks each id_token's iat/exp with jose against its own clock (small tolerance), so these flows
// fail as clock_skew — the failure a relying party with a strict clock would see.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'gameday-clock-skew',
  description: 'IdP clock +120 s for 10 s under 20 flows/s',
  load: { ratePerSec: 20, duration: '40s' },
  faults: [{ at: '10s', for: '10s', clockSkewMs: 120_000 }],
  slo: { errorRate: 0.05 },
  expectFailures: ['clock_skew'],
});
