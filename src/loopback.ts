/**
 * Load and fault traffic goes only to this machine: every target URL is checked here.
 */
import { TokenstormError } from './errors.ts';
import { printableUrl, stripControl } from './metrics/redact.ts';
import { isLoopbackHost } from './chaos/toxiproxy/address.ts';

export { isLoopbackHost };

/**
 * Why `url` is not an http(s) URL on a loopback host, or null when it is. The one check behind
 * --issuer, --toxiproxy, target.issuer and the endpoints discovery returns.
 *
 * @example
 * loopbackProblem('http://10.0.0.1'); // 'must be on 127.0.0.1, localhost or [::1] (got host "10.0.0.1") …'
 */
export function loopbackProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `must be an http(s) URL (got ${JSON.stringify(stripControl(url).slice(0, 100))})`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `must be an http(s) URL (got ${JSON.stringify(printableUrl(url))})`;
  // Credentials in a URL would be sent on every request and printed in every message: refused,
  // without echoing them.
  if (u.username || u.password) return 'must not carry credentials (user:password@); give the client and user in the scenario instead';
  if (!isLoopbackHost(u.hostname)) {
    return `must be on 127.0.0.1, localhost or [::1] (got host ${JSON.stringify(stripControl(u.hostname))}): load only goes to this machine`;
  }
  return null;
}

/**
 * Throws ERR_USAGE (bad URL) or ERR_NOT_LOOPBACK unless `url` is http(s) on a loopback host.
 *
 * @example
 * assertLoopbackUrl('http://127.0.0.1:4000', '--issuer');
 */
export function assertLoopbackUrl(url: string, what: string): URL {
  const problem = loopbackProblem(url);
  if (problem) {
    const notUrl = problem.startsWith('must be an http');
    throw new TokenstormError(notUrl ? 'ERR_USAGE' : 'ERR_NOT_LOOPBACK', `${what} ${problem}`);
  }
  return new URL(url);
}
