/**
 * Parsing of Toxiproxy `host:port` addresses. The fault layer only ever listens on loopback: a
 * fault server reachable from the network would let anyone inject faults into a run.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A parsed `host:port`; `host` is bare (no IPv6 brackets). */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Splits `host:port` / `[v6]:port`; returns undefined when the text is not of that shape or the port
 * is not an integer in 0..65535. An empty host is kept empty (the caller picks a default).
 *
 * @example
 * splitHostPort('localhost:0'); // { host: 'localhost', port: 0 }
 * splitHostPort('[::1]:8474');  // { host: '::1', port: 8474 }
 */
export function splitHostPort(text: string): HostPort | undefined {
  const m = /^(?:\[([^\]]*)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** True for `localhost`, any 127.0.0.0/8 address and `::1` (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * The address to bind for a loopback host: `localhost` becomes `127.0.0.1` (as Go's net.Listen
 * picks the first resolved address) so the resolved listen shown in JSON is stable.
 */
export function bindHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  return h === '' || h.toLowerCase() === 'localhost' ? '127.0.0.1' : h;
}

/** Formats like Go's `net.JoinHostPort` (brackets around IPv6). */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
