/**
 * The comparison point for the flow benchmark: the PKCE flow as a straightforward script would
 * write it ({@link plainFlow}, the one the embedded IdP primes itself with), on undici's `fetch`
 * through the benchmark's dispatcher. Same requests as the harness's driver; no timing, no
 * histograms, no classification.
 */
import { type Dispatcher, fetch } from 'undici';
import { type PlainFlowTarget, plainFlow } from '../idp/prime.ts';

/** Endpoints and client of the IdP under test. */
export type NaiveTarget = PlainFlowTarget;

/** One flow; resolves true on a token response with an id_token. */
export function naiveFlow(t: NaiveTarget, dispatcher: Dispatcher): Promise<boolean> {
  return plainFlow(t, (url, init) => fetch(url, { ...init, dispatcher }) as unknown as Promise<Response>);
}
