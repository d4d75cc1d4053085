// Capacity: how many flows/s does this IdP build sustain with token p95 under 200 ms? Instead of a
// guessed ramp, the load searches for the knee: constant-rate steps (open model) growing ×1.5 from
// 50 flows/s until one breaks the SLO (p95 over 200 ms, more than 1% failed, or flows dropped),
// then bisection between the last good and the first bad rate to within 5%. Each step runs 10 s;
// its first 2 s (the IdP settling at the new rate) are not judged. `tokenstorm capacity` runs it.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'capacity',
  description: 'search for the knee: the highest flows/s at which token p95 stays under 200 ms',
  load: {
    model: 'open',
    search: { startRatePerSec: 50, growth: 1.5, stepDuration: '10s', settle: '2s', minSamples: 200, resolutionPct: 5, maxRatePerSec: 2000 },
    // High rates need room: a flow that cannot start on time is counted as dropped, not delayed.
    maxInFlight: 1024,
  },
  slo: { p95Ms: 200, errorRate: 0.01 },
});
