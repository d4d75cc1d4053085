/**
 * The embedded reference IdP (oidc-provider in a child process): the default target. It brings
 * the oidc-provider login driver, its own public client and user, and can skew its clock and
 * switch misbehaviour modes.
 */
import { applyIdpMode } from '../chaos/idp-mode-actuator.ts';
import { type ClientAuth, publicClient } from '../flow/client-auth.ts';
import { createLoginDriver } from './login/registry.ts';
import { type EmbeddedIdp, startEmbeddedIdp } from '../idp/embedded-idp.ts';
import type { SigningPool } from '../pkce/presigned.ts';
import type { RunPlan } from '../scenario/types.ts';
import { createClientAuth, createDpopSigner } from './client-auth.ts';
import type { Target, TargetKind } from './types.ts';

/**
 * The embedded client matching the scenario's `target.client` (unless it names its own): the
 * embedded IdP registers one client per authentication method, with credentials made per process.
 */
async function embeddedClient(idp: EmbeddedIdp, plan: RunPlan, signing: SigningPool | undefined): Promise<{ clientId: string; auth: ClientAuth }> {
  const where = { issuer: idp.issuer, ...(signing ? { signing } : {}) };
  const c = plan.target.client;
  const own = plan.target.clientId;
  switch (c.auth) {
    case 'client_secret_basic':
    case 'client_secret_post': {
      const builtIn = c.auth === 'client_secret_basic' ? idp.clients.secretBasic : idp.clients.secretPost;
      const clientId = own ?? builtIn.clientId;
      return { clientId, auth: await createClientAuth(clientId, { ...c, clientSecret: c.clientSecret ?? builtIn.clientSecret }, where) };
    }
    case 'private_key_jwt': {
      const clientId = own ?? idp.clients.privateKeyJwt.clientId;
      const key = c.privateKeyFile ? {} : { privateJwk: idp.clients.privateKeyJwt.privateJwk };
      return { clientId, auth: await createClientAuth(clientId, { ...c, ...key }, where) };
    }
    default: {
      const clientId = own ?? (c.dpop ? idp.clients.dpop.clientId : idp.clientId);
      return { clientId, auth: publicClient(clientId) };
    }
  }
}

async function embeddedTarget(idp: EmbeddedIdp, owned: boolean, plan: RunPlan, signing: SigningPool | undefined): Promise<Target> {
  const { clientId, auth } = await embeddedClient(idp, plan, signing);
  const dpop = plan.target.client.dpop ? await createDpopSigner(plan.target.client.dpop, signing) : null;
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
      clientId,
      redirectUri: plan.target.redirectUri ?? idp.redirectUri,
      scope: plan.target.scope,
      username: plan.target.username,
      password: plan.target.password,
    },
    login: await createLoginDriver(plan.target.login),
    clientAuth: auth,
    dpop,
    par: plan.target.client.par,
    harnessSkewMs: () => 0,
    actuators: {
      clockSkew: {
        async apply(fault) {
          await idp.setClockOffset(fault.clockSkewMs ?? 0);
          return { undo: () => idp.setClockOffset(0) };
        },
      },
      idpMode: {
        // Validation guarantees the field; an outage (reject-s256) or a deliberately vulnerable mode.
        apply: (fault) => applyIdpMode(idp, fault.idpMode!),
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
    if (options.embeddedIdp) return embeddedTarget(options.embeddedIdp, false, plan, options.signing);
    const idp = await startEmbeddedIdp({ codeTtlSec: plan.target.codeTtlSec, ...(options.signal ? { signal: options.signal } : {}) });
    try {
      return await embeddedTarget(idp, true, plan, options.signing);
    } catch (err) {
      await idp.stop();
      throw err;
    }
  },
};
