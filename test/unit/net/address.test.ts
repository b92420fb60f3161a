import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyAddress, ipLiteral } from '../../../lambdas/core/net/address.js';
import { hostAllowed, parseAllowlist } from '../../../lambdas/core/net/allowlist.js';

const refused = (ip: string) => {
  const v = classifyAddress(ip);
  return v.public ? 'public' : v.reason;
};

describe('the address classifier', () => {
  it.each([
    // IPv4: every special-purpose block, at its first and last address.
    ['0.0.0.0', 'this-network'],
    ['0.255.255.255', 'this-network'],
    ['10.0.0.0', 'private'],
    ['10.255.255.255', 'private'],
    ['100.64.0.0', 'carrier-grade-nat'],
    ['100.127.255.255', 'carrier-grade-nat'],
    ['100.100.100.200', 'carrier-grade-nat'], // Alibaba Cloud metadata
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'], // AWS/GCP/Azure metadata
    ['169.254.170.2', 'link-local'], // ECS task metadata
    ['169.254.0.0', 'link-local'],
    ['172.16.0.0', 'private'],
    ['172.31.255.255', 'private'],
    ['192.0.0.192', 'ietf-protocol-assignments'], // Oracle Cloud metadata
    ['192.0.2.1', 'documentation'],
    ['192.88.99.1', '6to4-relay'],
    ['192.168.0.1', 'private'],
    ['192.168.255.255', 'private'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    // IPv6
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::ffff:127.0.0.1', 'ipv4-mapped'],
    ['::ffff:7f00:1', 'ipv4-mapped'],
    ['::ffff:169.254.169.254', 'ipv4-mapped'],
    ['::ffff:8.8.8.8', 'ipv4-mapped'], // even a public one: the connection would be IPv4 anyway
    ['::ffff:0:10.0.0.1', 'ipv4-translated'],
    ['::127.0.0.1', 'ipv4-compatible'],
    ['::a00:1', 'ipv4-compatible'],
    ['64:ff9b::a9fe:a9fe', 'nat64'],
    ['64:ff9b::169.254.169.254', 'nat64'],
    ['64:ff9b:1::1', 'nat64'],
    ['100::1', 'discard-only'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
    ['2001:10::1', 'ietf-protocol-assignments'],
    ['2002:a9fe:a9fe::1', '6to4'],
    ['3fff::1', 'documentation'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local'], // AWS metadata over IPv6
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['4000::1', 'not-global-unicast'],
    ['1::1', 'not-global-unicast'],
    // Not addresses at all: refused, never guessed at.
    ['localhost', 'not-an-ip'],
    ['', 'not-an-ip'],
    ['127.1', 'not-an-ip'],
    ['0x7f000001', 'not-an-ip'],
    ['2130706433', 'not-an-ip'],
    ['127.0.0.1.', 'not-an-ip'],
  ])('%s → %s', (ip, reason) => {
    expect(refused(ip)).toBe(reason);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above
    '126.255.255.255',
    '128.0.0.0',
    '169.253.255.255',
    '169.255.0.0',
    '172.15.255.255',
    '172.32.0.0',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '52.95.110.1',
    '2600:1f18::1',
    '2a00:1450:4001:81b::200e',
    '2001:4860:4860::8888', // outside 2001::/23
    '2003::1',
    '3ffe::1',
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toEqual({ public: true });
  });

  it('every IPv4 address in a private block is refused and the neighbours of a block are not (property)', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(octet, octet, octet, (b, c, d) => {
        expect(classifyAddress(`10.${b}.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`127.${b}.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`169.254.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`192.168.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`172.${16 + (b % 16)}.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`100.${64 + (b % 64)}.${c}.${d}`).public).toBe(false);
        expect(classifyAddress(`::ffff:${b}.${c}.${d}.1`).public).toBe(false);
        expect(
          classifyAddress(`f${'cd'[b % 2]}${(c % 256).toString(16).padStart(2, '0')}::${d.toString(16)}`)
            .public,
        ).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('the same address in any IPv6 spelling gets the same verdict', () => {
    expect(refused('0000:0000:0000:0000:0000:ffff:a9fe:a9fe')).toBe('ipv4-mapped');
    expect(refused('FE80:0:0:0:0:0:0:1')).toBe('link-local');
    expect(refused('::FFFF:127.0.0.1')).toBe('ipv4-mapped');
    expect(refused('fd00:0ec2:0000::0254')).toBe('unique-local');
  });

  it('reads IP literals out of URL host names', () => {
    expect(ipLiteral(new URL('https://[::1]:8443/x').hostname)).toBe('::1');
    // The URL parser normalises odd IPv4 spellings, so they reach the classifier as dotted quads.
    expect(ipLiteral(new URL('https://2130706433/').hostname)).toBe('127.0.0.1');
    expect(ipLiteral(new URL('https://0x7f.1/').hostname)).toBe('127.0.0.1');
    expect(ipLiteral(new URL('https://[::ffff:169.254.169.254]/').hostname)).toBe('::ffff:a9fe:a9fe');
    expect(ipLiteral('media.example.com')).toBeUndefined();
  });
});

describe('the host allowlist', () => {
  it('matches exact hosts and *.domain wildcards, case-insensitively, and nothing else', () => {
    const list = parseAllowlist(' Media.Example.com , *.cdn.example.net,');
    expect(list).toEqual(['media.example.com', '*.cdn.example.net']);
    expect(hostAllowed('media.example.com', list)).toBe(true);
    expect(hostAllowed('MEDIA.example.com.', list)).toBe(true);
    expect(hostAllowed('a.cdn.example.net', list)).toBe(true);
    expect(hostAllowed('a.b.cdn.example.net', list)).toBe(true);
    expect(hostAllowed('cdn.example.net', list)).toBe(false);
    expect(hostAllowed('evilcdn.example.net', list)).toBe(false);
    expect(hostAllowed('media.example.com.evil.io', list)).toBe(false);
    expect(hostAllowed('example.com', list)).toBe(false);
  });
  it('empty refuses everything; a bare * or a malformed entry is a configuration error', () => {
    expect(parseAllowlist(undefined)).toEqual([]);
    expect(parseAllowlist('')).toEqual([]);
    expect(hostAllowed('example.com', [])).toBe(false);
    for (const bad of ['*', '*.', 'a.*.com', 'http://x.com', 'x.com/path', 'a b.com'])
      expect(() => parseAllowlist(bad)).toThrow(/CUTLINE_ALLOWED_SOURCE_HOSTS/);
  });
});
