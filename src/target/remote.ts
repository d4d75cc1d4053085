/**
 * A remote issuer reached via discovery (loopback only). Its clock cannot be moved, so a clock
 * skew fault moves the harness-side clock the other way; it has no misbehaviour modes.
 */
import { assertLoopbackUrl } from '../loopback.ts';
import { TokenstormError } from '../errors.ts';
import { createLoginDriver } from './login/registry.ts';
import { createClientAuth, createDpopSigner } from './client-auth.ts';
import type { Target, TargetKind } from './types.ts';

/** A remote issuer (`--issuer` or the scenario's target.issuer). */
export const remoteTargetKind: TargetKind = {
  name: 'remote',
  accepts: (plan, options) => (options.issuer ?? plan.target.issuer) !== null,
  check(plan, options) {
    const issuer = (options.issuer ?? plan.target.issuer)!;
    assertLoopbackUrl(issuer, '--issuer');
    if (!options.direct && new URL(issuer).protocol === 'https:') {
      throw new TokenstormError('ERR_USAGE', 'an https issuer cannot go through the fault proxies (TLS names would not match)', {
        hint: 'add --direct, or use the IdP over http on 127.0.0.1',
      });
    }
    // Machine-to-machine requests have no user and no redirect: only the client is needed.
    const needsRedirect = plan.mode !== 'client_credentials';
    if (!plan.target.clientId || (needsRedirect && !plan.target.redirectUri)) {
      throw new TokenstormError(
        'ERR_SCENARIO_INVALID',
        needsRedirect ? 'a remote issuer needs target.clientId and target.redirectUri in the scenario' : 'a remote issuer needs target.clientId in the scenario',
      );
    }
  },
  async open(plan, options) {
    const issuer = (options.issuer ?? plan.target.issuer)!.replace(/\/$/, '');
    let skewMs = 0;
    const where = { issuer, ...(options.signing ? { signing: options.signing } : {}) };
    const clientAuth = await createClientAuth(plan.target.clientId!, plan.target.client, where);
    const dpop = plan.target.client.dpop ? await createDpopSigner(plan.target.client.dpop, options.signing) : null;
    const target: Target = {
      kind: 'remote',
      issuer,
      client: {
        clientId: plan.target.clientId!,
        redirectUri: plan.target.redirectUri ?? '',
        scope: plan.target.scope,
        username: plan.target.username,
        password: plan.target.password,
      },
      login: await createLoginDriver(plan.target.login),
      clientAuth,
      dpop,
      par: plan.target.client.par,
      harnessSkewMs: () => skewMs,
      actuators: {
        clockSkew: {
          async apply(fault) {
            // The IdP's clock cannot be moved from here: the harness's moves the other way.
            skewMs = -(fault.clockSkewMs ?? 0);
            return {
              undo: async () => {
                skewMs = 0;
              },
            };
          },
        },
      },
      cpuMicros: async () => null,
      lost: new Promise<string>(() => undefined),
      async [Symbol.asyncDispose]() {},
    };
    return target;
  },
};
