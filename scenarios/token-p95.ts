// Token p95 regression check (the CI recipe): token mode keeps a bank of fresh authorization codes
// and drives only the token exchange, 100 per second for 20 s, so the measured p95 is the token
// endpoint's and not the login page's. Run it with `--baseline reports/baseline/report.json` to
// fail the build on a regression; the threshold below is the absolute ceiling.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'token-p95',
  description: 'token endpoint p95 under steady load: 100 exchanges/s for 20 s',
  mode: 'token',
  load: { model: 'open', ratePerSec: 100, duration: '20s' },
  codeBank: { size: 256, maxAge: '30s', producers: 8 },
  thresholds: ['token:p(95)<200'],
});
