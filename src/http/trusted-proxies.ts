import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CidrList, parseCidr } from './cidr';

/** `trustedProxies`: how many proxies stand in front (a hop count), or which addresses and networks they use. */
export type TrustedProxiesSetting = number | string[];
/** Which header the proxies write: `X-Forwarded-For` (+ `X-Forwarded-Proto`) or RFC 7239 `Forwarded`. */
export type ForwardedHeader = 'x-forwarded-for' | 'forwarded';

/** Who the client of a request is, once the trusted proxies in front of it are skipped. */
export interface ClientHop {
  /** The client address: the TCP peer, or the address a trusted proxy says it forwarded for. */
  address: string;
  /** The scheme the client used: the listener's own, or the one a trusted proxy reports. */
  proto: 'http' | 'https';
  /** The TCP peer itself is a trusted proxy (only then is a caller's `X-Request-Id` kept). */
  peerTrusted: boolean;
}

/** One hop named by a forwarding header; `address` undefined when the entry is not an IP address. */
interface Hop {
  address?: string;
  proto?: 'http' | 'https';
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is written as IPv4, so one client has one key. */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

/**
 * An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:8080` (RFC 7239 §6). Anything else (`unknown`, `_hidden`,
 * garbage) is undefined.
 */
export function parseNode(raw: string): string | undefined {
  let value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^[0-9.]+:\d{1,5}$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  if (bracketed && isIP(value) !== 6) return undefined;
  return isIP(value) ? normaliseAddress(value) : undefined;
}

function parseProto(raw: string | undefined): 'http' | 'https' | undefined {
  const value = raw?.trim().toLowerCase();
  return value === 'http' || value === 'https' ? value : undefined;
}

/** One header value, joined by Node from repeated lines with ", ", as its comma-separated entries. */
function entries(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header.join(',') : header).split(',');
}

/**
 * `X-Forwarded-For: client, proxy1` with `X-Forwarded-Proto: https`. Proxies append, so the
 * entries are read from the right; proto values are matched to the address entries from the
 * right too (a proxy that overwrites X-Forwarded-Proto leaves one value, its own inbound scheme).
 * Each entry is read on its own: junk a client put at the left never spoils what proxies appended.
 */
function xForwardedHops(req: IncomingMessage): Hop[] {
  const addresses = entries(req.headers['x-forwarded-for']);
  const protos = entries(req.headers['x-forwarded-proto']);
  return addresses.map((entry, i) => {
    const p = protos.length - (addresses.length - i);
    return { address: parseNode(entry), proto: parseProto(protos[Math.max(p, 0)]) };
  });
}

/**
 * RFC 7239 §4: `Forwarded: for=192.0.2.60;proto=http, for="[2001:db8::1]:4711"`. Elements are split
 * at every comma (no address contains one), so an unbalanced quote a client sent spoils only its
 * own element, never the ones trusted proxies appended.
 */
function forwardedHops(req: IncomingMessage): Hop[] {
  return entries(req.headers.forwarded).map((element) => {
    const pairs = new Map<string, string>();
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const value = pair.slice(eq + 1).trim();
      pairs.set(pair.slice(0, eq).trim().toLowerCase(), value.length > 1 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
    }
    const forValue = pairs.get('for');
    return { address: forValue === undefined ? undefined : parseNode(forValue), proto: parseProto(pairs.get('proto')) };
  });
}

/** Parses `trustedProxies` entries (`10.0.0.0/8`, `::1`, `fd00::/8`); returns the problems, one per bad entry. */
export function trustedProxyProblems(setting: TrustedProxiesSetting): string[] {
  if (typeof setting === 'number') return [];
  return setting.flatMap((entry, i) => (parseCidr(entry) ? [] : [`trustedProxies[${i}]: ${JSON.stringify(entry)} is not an IPv4 or IPv6 address or CIDR network (e.g. 10.0.0.0/8, ::1, fd00::/8)`]));
}

/**
 * Decides which forwarding headers to believe. Without the setting (an empty list, or 0 hops)
 * none is: the client is the TCP peer, as anyone can write `X-Forwarded-For`.
 * With it, the chain (forwarded addresses, then the TCP peer) is read from the right, skipping
 * trusted hops; the first untrusted hop is the client (RFC 7239 §7.1: only proxies you trust
 * tell the truth). An entry that is not an address, met while skipping, stops the walk and the
 * TCP peer is the client: a malformed header is never a 500 and never a spoofed address.
 */
export class TrustedProxies {
  private readonly hops: number;
  private readonly list = new CidrList();
  private readonly any: boolean;

  constructor(setting: TrustedProxiesSetting, private readonly header: ForwardedHeader = 'x-forwarded-for') {
    this.hops = typeof setting === 'number' ? setting : 0;
    const networks = typeof setting === 'number' ? [] : setting;
    for (const entry of networks) {
      // An IPv4-mapped entry (::ffff:10.0.0.1) is the IPv4 address: peers are compared as IPv4.
      if (!this.list.add(isIP(entry) ? normaliseAddress(entry) : entry)) throw new Error(trustedProxyProblems([entry])[0]);
    }
    this.any = this.hops > 0 || networks.length > 0;
  }

  /** Whether the hop `depth` steps from us (0: the TCP peer) is a trusted proxy. */
  private trusts(address: string, depth: number): boolean {
    if (this.hops > 0) return depth < this.hops;
    return this.list.has(address);
  }

  /** The client of `req` and the scheme it used. */
  resolve(req: IncomingMessage): ClientHop {
    const peer = normaliseAddress(req.socket.remoteAddress ?? 'unknown');
    const own: ClientHop = { address: peer, proto: (req.socket as TLSSocket).encrypted ? 'https' : 'http', peerTrusted: false };
    if (!this.any || !isIP(peer) || !this.trusts(peer, 0)) return own;
    const trusted = { ...own, peerTrusted: true };
    const hops = this.header === 'forwarded' ? forwardedHops(req) : xForwardedHops(req);
    let i = hops.length - 1;
    if (i < 0 || !hops[i].address) return trusted;
    while (i > 0 && this.trusts(hops[i].address!, hops.length - i)) {
      i -= 1;
      if (!hops[i].address) return trusted;
    }
    return { address: hops[i].address!, proto: hops[i].proto ?? own.proto, peerTrusted: true };
  }
}
