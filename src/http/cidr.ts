import { isIP } from 'node:net';

/** An IP address as 16-bit groups: 2 for IPv4, 8 for IPv6. */
interface Parsed {
  family: 4 | 6;
  groups: number[];
}

/** `192.0.2.1` as two 16-bit groups. The caller checked the syntax with `isIP`. */
function ipv4Groups(address: string): number[] {
  const [a, b, c, d] = address.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

/**
 * Parses an IPv4 or IPv6 address (RFC 4291 §2.2 text forms: `::` compression, an embedded IPv4
 * tail such as `::ffff:192.0.2.1`, a `%zone` suffix) into 16-bit groups; undefined if it is none.
 */
export function parseIp(address: string): Parsed | undefined {
  const plain = address.split('%')[0];
  const version = isIP(plain);
  if (version === 4) return { family: 4, groups: ipv4Groups(plain) };
  if (version !== 6) return undefined;
  // An embedded IPv4 tail stands for the last two groups: parse it apart, put `0:0` in its place.
  const lastColon = plain.lastIndexOf(':');
  const v4 = plain.includes('.', lastColon) ? ipv4Groups(plain.slice(lastColon + 1)) : undefined;
  const text = v4 ? `${plain.slice(0, lastColon + 1)}0:0` : plain;
  const [head, rest] = text.split('::');
  const toGroups = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = toGroups(head);
  const right = toGroups(rest);
  const fill = rest === undefined ? [] : Array<number>(8 - left.length - right.length).fill(0);
  const groups = [...left, ...fill, ...right];
  if (v4) groups.splice(6, 2, ...v4);
  return groups.length === 8 ? { family: 6, groups } : undefined;
}

/** One network: its family, groups and prefix length. */
interface Network extends Parsed {
  prefix: number;
}

/** Parses `10.0.0.0/8`, `fd00::/8` or a single address (a full-length prefix); undefined if invalid. */
export function parseCidr(entry: string): Network | undefined {
  const parts = entry.trim().split('/');
  if (parts.length > 2) return undefined;
  const parsed = parseIp(parts[0]);
  if (!parsed || parts[0].includes('%')) return undefined;
  const max = parsed.family === 4 ? 32 : 128;
  if (parts.length === 1) return { ...parsed, prefix: max };
  if (!/^\d{1,3}$/.test(parts[1]) || Number(parts[1]) > max) return undefined;
  return { ...parsed, prefix: Number(parts[1]) };
}

/** Whether the first `prefix` bits of two group lists are equal. */
function samePrefix(a: number[], b: number[], prefix: number): boolean {
  let bits = prefix;
  for (let i = 0; bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

/**
 * A list of IPv4 and IPv6 networks, matched without allocating per check beyond the parse.
 * (Node's `net.BlockList.check` builds a SocketAddress per call: microseconds, on every request.)
 */
export class CidrList {
  private readonly networks: Network[] = [];

  /** Adds a network or an address; false if `entry` is neither. */
  add(entry: string): boolean {
    const network = parseCidr(entry);
    if (network) this.networks.push(network);
    return network !== undefined;
  }

  get size(): number {
    return this.networks.length;
  }

  /** Whether `address` lies in one of the networks (an IPv4 address never matches an IPv6 network). */
  has(address: string): boolean {
    const parsed = parseIp(address);
    if (!parsed) return false;
    return this.networks.some((n) => n.family === parsed.family && samePrefix(parsed.groups, n.groups, n.prefix));
  }
}
