import { expect } from 'chai';
import { addressBucket } from '../../src/http/peer-address';

/** What per-address throttling counts: an IPv4 address, or an IPv6 address's /64 (RFC 6177 §2). */
describe('addressBucket', () => {
  it('keeps IPv4 addresses as they are', () => {
    expect(addressBucket('192.0.2.7')).to.equal('192.0.2.7');
    expect(addressBucket('unknown')).to.equal('unknown');
  });

  it('counts every IPv6 address of one /64 together, however it is written', () => {
    const one = ['2001:db8:0:1::1', '2001:0db8:0000:0001:ffff:ffff:ffff:ffff', '2001:db8:0:1:abcd::9', '2001:DB8:0:1::2'.toLowerCase()];
    expect(new Set(one.map(addressBucket))).to.deep.equal(new Set(['2001:db8:0:1::/64']));
    expect(addressBucket('2001:db8:0:2::1')).to.equal('2001:db8:0:2::/64');
    expect(addressBucket('::1')).to.equal('0:0:0:0::/64');
    expect(addressBucket('fe80::1%eth0')).to.equal('fe80:0:0:0::/64');
  });
});
