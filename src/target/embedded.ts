/**
 * The embedded reference IdP (oidc-provider in a child process): the default target. It brings
 * the oidc-provider login driver, its own public client and user, and can skew its clock and
 * switch misbehaviour modes.
 */
import { oidcProviderLogin } from '../flow/login-driver.ts';
import { type EmbeddedIdp, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import type { Target, TargetKind } from './types.ts';

function embeddedTarget(idp: EmbeddedIdp, owned: boolean, plan: Parameters<TargetKind['open']>[0]): Target {
  let stopping = false;
  const lost = idp.exited.then(({ code, signal }) => {
    // The run's own shutdown also ends the child; only an exit before that is a lost target.
    if (stopping) return new Promise<string>(() => undefined);
    return `the embedded IdP exited mid-run (${signal ? `signal ${signal}` : `code ${code}`})`;
  });
  return {
    kind: 'embedded',
    issuer: idp.issuer,
    client: {
      clientId: plan.target.clientId ?? idp.clientId,
      redirectUri: plan.target.redirectUri ?? idp.redirectUri,
      scope: plan.target.scope,
      username: plan.target.username,
      password: plan.target.password,
    },
    login: oidcProviderLogin,
    harnessSkewMs: () => 0,
    actuators: {
      clockSkew: {
        async apply(fault) {
          await idp.setClockOffset(fault.clockSkewMs ?? 0);
          return { undo: () => idp.setClockOffset(0) };
        },
      },
      idpMode: {
        async apply(fault) {
          if (fault.idpMode === 'reject-s256') await idp.setMode({ rejectS256: true });
          return { undo: () => idp.setMode({}) };
        },
      },
    },
    async cpuMicros() {
      const c = await idp.cpuUsage().catch(() => null);
      return c ? c.userMicros + c.systemMicros : null;
    },
    lost,
    async [Symbol.asyncDispose]() {
      stopping = true;
      if (owned) await idp.stop();
    },
  };
}

/** The embedded IdP: used when no issuer is given. */
export const embeddedTargetKind: TargetKind = {
  name: 'embedded',
  accepts: (plan, options) => (options.issuer ?? plan.target.issuer) === null,
  async open(plan, options) {
    if (options.embeddedIdp) return embeddedTarget(options.embeddedIdp, false, plan);
    return embeddedTarget(await startEmbeddedIdp({ codeTtlSec: plan.target.codeTtlSec }), true, plan);
  },
};
