/**
 * A fresh embedded IdP primes itself with plain PKCE flows before it reports ready (the cold
 * process's one-time set-up otherwise lands in a run's first seconds: `bench startup`). Priming
 * runs with correct behaviour and the real clock: a fault mode the IdP was started with applies
 * from the first request after ready, and no priming error reaches the run's error details.
 */
import { describe, expect, it } from 'vitest';
import { isTokenstormError } from '../../../src/errors.ts';
import { DEFAULT_PRIME_FLOWS, startEmbeddedIdp } from '../../../src/idp/embedded-idp.ts';
import { Browser, authorizeUrl, pkcePair } from './headless-login.ts';

describe('embedded IdP start-up priming', () => {
  it('runs the default number of flows against itself, every one ending with tokens', async () => {
    const idp = await startEmbeddedIdp();
    try {
      expect(idp.primed).toMatchObject({ flows: DEFAULT_PRIME_FLOWS, succeeded: DEFAULT_PRIME_FLOWS, cutShort: false });
      expect(idp.primed?.elapsedMs).toBeGreaterThan(0);
      expect(idp.recentErrorDetails()).toEqual([]);
      // The sessions, grants, codes and tokens of those flows are in the IdP's store.
      expect((await idp.stats()).adapterEntries).toBeGreaterThanOrEqual(DEFAULT_PRIME_FLOWS);
    } finally {
      await idp.stop();
    }
  });

  it('primes with correct behaviour, then applies the start-up fault mode to the first real request', async () => {
    const idp = await startEmbeddedIdp({ mode: { rejectS256: true }, primeFlows: 3 });
    try {
      expect(idp.primed).toMatchObject({ flows: 3, succeeded: 3 });
      const res = await new Browser().send('GET', authorizeUrl({ ...idp, challenge: pkcePair().challenge, method: 'S256', state: 's1' }));
      expect(res.status).toBe(303);
      expect(new URL(res.location ?? '').searchParams.get('error')).toBe('invalid_request');
    } finally {
      await idp.stop();
    }
  });

  it('primeFlows 0 starts a cold IdP; a bad count is a usage error naming it', async () => {
    const idp = await startEmbeddedIdp({ primeFlows: 0 });
    try {
      expect(idp.primed).toBeNull();
      expect((await idp.stats()).adapterEntries).toBe(0);
    } finally {
      await idp.stop();
    }
    const err = await startEmbeddedIdp({ primeFlows: -1 }).catch((e: unknown) => e);
    expect(isTokenstormError(err) && err.code).toBe('ERR_USAGE');
    expect((err as Error).message).toBe('idp primeFlows must be an integer 0..10000 (got -1)');
  });
});
