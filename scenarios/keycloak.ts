// Keycloak: full authorization-code + PKCE flows against a real Keycloak on this machine — the
// realm of scenarios/keycloak/realm-tokenstorm.json, started by `scripts/ci/keycloak.sh start`
// (port 8080) or `docker compose up -d keycloak`. The keycloak login driver fills Keycloak's login
// form (kc-form-login) like a browser and reads its pages for why a login failed (invalid
// credentials, disabled account, a required action). The password comes from the environment, never
// from this file: KEYCLOAK_PASSWORD=alice-password for the realm's test user. A modest open-model
// rate: Keycloak's sizing guide plans about 15 password logins/s per vCPU, so raise the rate with
// the cores you give it.
import { defineScenario } from 'tokenstorm';

export default defineScenario({
  name: 'keycloak',
  description: 'PKCE flows against the local Keycloak realm "tokenstorm": 5 flows/s for 30 s',
  load: { model: 'open', ratePerSec: 5, duration: '30s', requestTimeout: '15s' },
  target: {
    issuer: 'http://127.0.0.1:8080/realms/tokenstorm',
    clientId: 'tokenstorm-public',
    redirectUri: 'http://127.0.0.1/callback',
    scope: 'openid',
    username: 'alice',
    password: { env: 'KEYCLOAK_PASSWORD' },
    login: { driver: 'keycloak' },
  },
  thresholds: ['flow:rate(failed)<0.01', 'token:p(95)<1000'],
});
