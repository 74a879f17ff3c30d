import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { existingState, requestState } from './request-state';

/**
 * The client address of a request, the key of per-address throttling, audit entries and the
 * access log: the TCP peer, unless the request context (`request-context.ts`) found the peer to be
 * a trusted proxy and took the client from `X-Forwarded-For` / `Forwarded` (`trusted-proxies.ts`).
 * Without the `trustedProxies` setting those headers are never read: anyone can send them.
 * An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, a dual-stack listener) is written as IPv4.
 */
export function peerAddress(req: IncomingMessage): string {
  return existingState(req)?.clientAddress ?? socketAddress(req);
}

/** The TCP peer address itself, whatever the headers say. */
export function socketAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** Records the client address resolved once per request (by the request context). */
export function setClientAddress(req: IncomingMessage, address: string): void {
  requestState(req).clientAddress = address;
}

/**
 * The unit that per-address throttling counts: an IPv4 address, or the /64 network of an IPv6
 * address. One IPv6 subscriber usually holds a whole /64 (RFC 6177 §2), so counting single IPv6
 * addresses would give one attacker 2^64 fresh counters.
 */
export function addressBucket(address: string): string {
  // No colon: not IPv6, without net.isIPv6's long regular expression (on every token request).
  if (!address.includes(':') || !isIPv6(address)) return address;
  const [head, tail = ''] = address.split('%')[0].split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
