import type { IncomingMessage } from 'node:http';

/**
 * The TCP peer address of a request, the key of per-address throttling. Headers such as
 * `X-Forwarded-For` are not read: anyone can send them. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, a dual-stack listener) is written as IPv4, so one client has one key.
 */
export function peerAddress(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
