// Game day: the token endpoint gets slow. From 10 s to 20 s every response from the token route is
// held back 300 ms by a Toxiproxy `latency` toxic, while flows keep arriving at 30/s. The report
// shows p95 before, during and after the fault, and how long it took for the SLO breach to show
// (time to detect) and to clear once the toxic was removed (time to recover).
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'gameday-token-latency',
  description: 'token endpoint +300 ms for 10 s under 30 flows/s',
  load: { ratePerSec: 30, duration: '40s' },
  faults: [{ at: '10s', for: '10s', endpoint: 'token', toxic: { type: 'latency', attributes: { latency: 300 } } }],
  slo: { p95Ms: 200, errorRate: 0.05 },
});
