/**
 * Signals and the embedded IdP child (issue 15): a terminal's Ctrl-C reaches the whole process
 * group, the child included; the child must survive it (the parent stops it after the run has
 * drained), and an aborted start-up stops the child.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type EmbeddedIdp, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';

let idp: EmbeddedIdp | null = null;
afterAll(() => idp?.stop());

describe('embedded IdP child and signals', () => {
  it('ignores SIGINT and keeps serving; SIGTERM from the parent (stop) still ends it', async () => {
    idp = await startEmbeddedIdp();
    process.kill(idp.pid, 'SIGINT');
    // Still answering after the SIGINT had every chance to be handled: a request round-trip over
    // HTTP and one over IPC.
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    await expect(idp.stats()).resolves.toBeDefined();
    let exited = false;
    void idp.exited.then(() => (exited = true));
    expect(exited).toBe(false);
    await idp.stop();
    const { code, signal } = await idp.exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  });

  it('an aborted start-up throws ERR_INTERRUPTED and leaves no child', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(startEmbeddedIdp({ signal: ac.signal })).rejects.toMatchObject({ code: 'ERR_INTERRUPTED' });
  });
});
