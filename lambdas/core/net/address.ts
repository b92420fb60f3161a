import { isIP } from 'node:net';

/**
 * Which IP addresses a source fetch may connect to. Everything that is not plainly on the public internet
 * is refused: private, loopback, link-local (which holds the cloud metadata endpoints), CGNAT, multicast,
 * reserved and documentation ranges, and every IPv6 form that can smuggle an IPv4 address (mapped,
 * compatible, NAT64, 6to4, Teredo). IPv6 must further be global unicast (2000::/3).
 */
export type AddressVerdict = { public: true } | { public: false; reason: string };

interface Range {
  /** Network bytes, 4 (IPv4) or 16 (IPv6). */
  net: number[];
  bits: number;
  reason: string;
}

/** '10.0.0.0' → [10,0,0,0]; undefined when not dotted-quad IPv4. */
function v4Bytes(ip: string): number[] | undefined {
  if (isIP(ip) !== 4) return undefined;
  return ip.split('.').map(Number);
}

/** Any IPv6 text (with `::` and a trailing dotted quad) → 16 bytes; undefined when not IPv6. */
function v6Bytes(ip: string): number[] | undefined {
  const bare = ip.replace(/%.*$/, ''); // zone id (fe80::1%eth0)
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted) {
    tail = v4Bytes(dotted[1]!)!;
    text = text.slice(0, -dotted[1]!.length) + '0:0';
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '') : []);
  const h = groups(head);
  const r = groups(rest);
  const fill = rest === undefined ? [] : Array<string>(8 - h.length - r.length).fill('0');
  const all = [...h, ...fill, ...r];
  const bytes = all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes;
}

const cidr = (text: string, reason: string): Range => {
  const [addr, bits] = text.split('/') as [string, string];
  return { net: v4Bytes(addr) ?? v6Bytes(addr)!, bits: Number(bits), reason };
};

function within(bytes: readonly number[], range: Range): boolean {
  if (bytes.length !== range.net.length) return false;
  let left = range.bits;
  for (let i = 0; left > 0; i++, left -= 8) {
    const mask = left >= 8 ? 0xff : (0xff << (8 - left)) & 0xff;
    if ((bytes[i]! & mask) !== (range.net[i]! & mask)) return false;
  }
  return true;
}

const V4_BLOCKED: readonly Range[] = [
  cidr('0.0.0.0/8', 'this-network'),
  cidr('10.0.0.0/8', 'private'),
  cidr('100.64.0.0/10', 'carrier-grade-nat'),
  cidr('127.0.0.0/8', 'loopback'),
  cidr('169.254.0.0/16', 'link-local'),
  cidr('172.16.0.0/12', 'private'),
  cidr('192.0.0.0/24', 'ietf-protocol-assignments'),
  cidr('192.0.2.0/24', 'documentation'),
  cidr('192.88.99.0/24', '6to4-relay'),
  cidr('192.168.0.0/16', 'private'),
  cidr('198.18.0.0/15', 'benchmarking'),
  cidr('198.51.100.0/24', 'documentation'),
  cidr('203.0.113.0/24', 'documentation'),
  cidr('224.0.0.0/4', 'multicast'),
  cidr('240.0.0.0/4', 'reserved'),
];

// Order matters only for the reason reported: the most specific range first.
const V6_BLOCKED: readonly Range[] = [
  cidr('::/128', 'unspecified'),
  cidr('::1/128', 'loopback'),
  cidr('::ffff:0:0/96', 'ipv4-mapped'),
  cidr('::ffff:0:0:0/96', 'ipv4-translated'),
  cidr('::/96', 'ipv4-compatible'),
  cidr('64:ff9b::/96', 'nat64'),
  cidr('64:ff9b:1::/48', 'nat64'),
  cidr('100::/64', 'discard-only'),
  cidr('2001:db8::/32', 'documentation'),
  cidr('2001::/32', 'teredo'),
  cidr('2001::/23', 'ietf-protocol-assignments'),
  cidr('2002::/16', '6to4'),
  cidr('3fff::/20', 'documentation'),
  cidr('5f00::/16', 'segment-routing'),
  cidr('fc00::/7', 'unique-local'),
  cidr('fe80::/10', 'link-local'),
  cidr('fec0::/10', 'site-local'),
  cidr('ff00::/8', 'multicast'),
];
const V6_GLOBAL = cidr('2000::/3', 'global-unicast');

/** Whether a fetch may connect to `ip` (an IP literal; anything else is refused as not-an-ip). */
export function classifyAddress(ip: string): AddressVerdict {
  const v4 = v4Bytes(ip);
  if (v4) {
    const hit = V4_BLOCKED.find((r) => within(v4, r));
    return hit ? { public: false, reason: hit.reason } : { public: true };
  }
  const v6 = v6Bytes(ip);
  if (!v6) return { public: false, reason: 'not-an-ip' };
  const hit = V6_BLOCKED.find((r) => within(v6, r));
  if (hit) return { public: false, reason: hit.reason };
  if (!within(v6, V6_GLOBAL)) return { public: false, reason: 'not-global-unicast' };
  return { public: true };
}

/** A URL's hostname as an IP literal (brackets stripped), or undefined for a DNS name. */
export function ipLiteral(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) ? bare : undefined;
}
