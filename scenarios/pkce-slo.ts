// PKCE SLO: the seed's PKCE metrics as a steady-state check. 30 full authorize → login → callback →
// token flows per second for 30 s against the embedded IdP, gated on the targets that thresholds can
// express (M1 authorization success ≥ 99.9%, M2 token success ≥ 99.9%, M4 token p95 < 200 ms). The
// report's `pkce` section judges all eight metrics (M3 PKCE failures < 0.01%, M5 code reuse 0%,
// M6 100% S256, M7 no secret in any output, M8 redirect/callback errors < 0.1%) against the same
// defaults; `tokenstorm probe pkce-slo` runs the security probes with this scenario's client.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'pkce-slo',
  description: 'PKCE metrics M1–M8 at their default targets: 30 flows/s for 30 s',
  load: { model: 'open', ratePerSec: 30, duration: '30s' },
  slo: { p95Ms: 200, errorRate: 0.001, endpoint: 'token' },
  thresholds: ['authorize:rate(failed)<0.001', 'token:rate(failed)<0.001', 'token:p(95)<200', 'flow:rate(failed)<0.001'],
  // Under-load probing (when the run pipeline mixes probes in): P9 and the replays at 1 probe/s.
  probes: { ratePerSec: 1, only: ['P1', 'P8', 'P9', 'P10'] },
});
