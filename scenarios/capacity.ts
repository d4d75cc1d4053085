// Capacity: how many flows/s does this IdP build sustain with token p95 under 200 ms? The arrival
// rate ramps up in steps (k6 ramping-arrival-rate semantics: each stage moves linearly from the
// previous target to its own, the first from 0), and the report names the knee — the highest rate
// at which the SLO still held — rather than leaving you to read it off a chart.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'capacity',
  description: 'ramp 0 → 300 flows/s and find the knee where token p95 passes 200 ms',
  load: {
    model: 'open',
    stages: [
      { duration: '10s', target: 50 },
      { duration: '10s', target: 100 },
      { duration: '10s', target: 100 },
      { duration: '10s', target: 200 },
      { duration: '10s', target: 300 },
      { duration: '10s', target: 300 },
    ],
    // High rates need room: a flow that cannot start on time is counted as dropped, not delayed.
    maxInFlight: 1024,
  },
  slo: { p95Ms: 200, errorRate: 0.01 },
});
