import { expect } from 'chai';
import { BlockList } from 'node:net';
import { CidrList, parseCidr, parseIp } from '../../src/http/cidr';

/** CIDR matching of trustedProxies (IPv4 and IPv6, RFC 4291 §2.2-2.3 text forms and prefixes). */
describe('CIDR matching', () => {
  it('parses IPv4 and every IPv6 text form into groups', () => {
    expect(parseIp('192.0.2.1')).to.deep.equal({ family: 4, groups: [0xc000, 0x0201] });
    expect(parseIp('::')!.groups).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIp('::1')!.groups).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIp('2001:db8::')!.groups).to.deep.equal([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0]);
    expect(parseIp('2001:DB8:0:1:2:3:4:5')!.groups).to.deep.equal([0x2001, 0xdb8, 0, 1, 2, 3, 4, 5]);
    expect(parseIp('::ffff:192.0.2.1')!.groups).to.deep.equal([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]);
    expect(parseIp('1:2:3:4:5:6:192.0.2.1')!.groups).to.deep.equal([1, 2, 3, 4, 5, 6, 0xc000, 0x0201]);
    expect(parseIp('fe80::1%eth0')!.groups).to.deep.equal([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    for (const bad of ['', 'localhost', '1.2.3', '256.0.0.1', ':::', '1::2::3', '12345::', '[::1]', '::1/128']) expect(parseIp(bad), bad).to.equal(undefined);
  });

  it('parses networks and single addresses; refuses bad prefixes and zones', () => {
    expect(parseCidr('10.0.0.0/8')).to.deep.include({ family: 4, prefix: 8 });
    expect(parseCidr('::1')).to.deep.include({ family: 6, prefix: 128 });
    expect(parseCidr('192.0.2.1')).to.deep.include({ prefix: 32 });
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/x', '10.0.0.0/8/8', 'fe80::1%eth0', '10.0.0.0/-1', '10.0.0.0/08a']) expect(parseCidr(bad), bad).to.equal(undefined);
  });

  it('matches exactly what net.BlockList matches, over prefixes of every length', () => {
    const networks = ['10.0.0.0/8', '192.0.2.128/25', '198.51.100.7', '0.0.0.0/0', '2001:db8::/32', 'fd00::/7', '::1', '2001:db8:1:2::/63', '2001:db8:abcd:12::/61'];
    const probes = ['10.255.1.1', '11.0.0.1', '192.0.2.127', '192.0.2.128', '192.0.2.255', '198.51.100.7', '198.51.100.8', '2001:db8::1', '2001:db9::1', 'fc00::1', 'fe00::1', '::1', '::2', '2001:db8:1:3::9', '2001:db8:1:4::9', '2001:db8:abcd:17:ffff::', '2001:db8:abcd:18::'];
    for (const network of networks) {
      const ours = new CidrList();
      expect(ours.add(network), network).to.equal(true);
      const theirs = new BlockList();
      const [address, prefix] = network.split('/');
      const family = address.includes(':') ? 'ipv6' : 'ipv4';
      if (prefix === undefined) theirs.addAddress(address, family);
      else theirs.addSubnet(address, Number(prefix), family);
      for (const probe of probes) {
        const probeFamily = probe.includes(':') ? 'ipv6' : 'ipv4';
        const expected = probeFamily === family && theirs.check(probe, probeFamily);
        expect(ours.has(probe), `${probe} in ${network}`).to.equal(expected);
      }
    }
  });

  it('an IPv4 address never matches an IPv6 network (and the other way round); garbage matches nothing', () => {
    const list = new CidrList();
    list.add('::/0');
    expect(list.has('192.0.2.1')).to.equal(false);
    expect(list.has('2001:db8::1')).to.equal(true);
    list.add('0.0.0.0/0');
    expect(list.has('192.0.2.1')).to.equal(true);
    expect(list.has('not an address')).to.equal(false);
    expect(list.add('nope')).to.equal(false);
    expect(list.size).to.equal(2);
  });
});
