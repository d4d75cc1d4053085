// Game day: clients that send the wrong thing. While the load runs at 20 flows/s, 20% of the flows
// are played by broken clients, one kind per window — a wrong code_verifier (F1), none at all (F2),
// a challenge encoded with standard base64 and padding (F5), and a retry that redeems the same code
// twice after a timeout. Each window is its own phase, so the report shows how the IdP answered each
// kind (pkce_mismatch, pkce_verifier_missing, code_reused …) and how its error signals look on call.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'gameday-buggy-clients',
  description: '20% buggy clients, one kind per 6 s window, under 20 flows/s',
  load: { ratePerSec: 20, duration: '30s' },
  faults: [
    { at: '3s', for: '6s', clientMix: { kind: 'F1', fraction: 0.2 } },
    { at: '9s', for: '6s', clientMix: { kind: 'F2', fraction: 0.2 } },
    { at: '15s', for: '6s', clientMix: { kind: 'F5', fraction: 0.2 } },
    { at: '21s', for: '6s', clientMix: { kind: 'retry-reuse', fraction: 0.2 } },
  ],
  expectFailures: ['pkce_mismatch', 'pkce_verifier_missing', 'code_reused'],
});
