/**
 * Load and fault traffic goes only to this machine: every target URL is checked here.
 */
import { TokenstormError } from '../errors.ts';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for 127.0.0.0/8, localhost and ::1. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Throws ERR_USAGE (bad URL) or ERR_NOT_LOOPBACK unless `url` is http(s) on a loopback host.
 *
 * @example
 * assertLoopbackUrl('http://127.0.0.1:4000', '--issuer');
 */
export function assertLoopbackUrl(url: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TokenstormError('ERR_USAGE', `${what} is not a URL: ${JSON.stringify(url)}`, { hint: 'e.g. http://127.0.0.1:4000' });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new TokenstormError('ERR_USAGE', `${what} must be an http(s) URL, got ${u.protocol}`);
  }
  if (!isLoopbackHost(u.hostname)) {
    throw new TokenstormError('ERR_NOT_LOOPBACK', `${what} host ${u.hostname} is not loopback`);
  }
  return u;
}
