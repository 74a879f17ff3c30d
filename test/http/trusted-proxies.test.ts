import { expect } from 'chai';
import type { IncomingMessage } from 'node:http';
import { resolveSettings } from '../../src/config/settings';
import { parseNode, trustedProxyProblems, TrustedProxies, type ForwardedHeader, type TrustedProxiesSetting } from '../../src/http/trusted-proxies';

/** A request as the resolver sees it: a TCP peer and some headers. */
function req(peer: string, headers: Record<string, string | string[]> = {}, encrypted = false): IncomingMessage {
  return { socket: { remoteAddress: peer, encrypted }, headers } as unknown as IncomingMessage;
}

function client(setting: TrustedProxiesSetting, peer: string, headers: Record<string, string | string[]> = {}, header: ForwardedHeader = 'x-forwarded-for') {
  return new TrustedProxies(setting, header).resolve(req(peer, headers));
}

describe('TrustedProxies', () => {
  describe('without the setting', () => {
    it('the client is the TCP peer whatever the headers say, and the peer is not trusted', () => {
      for (const setting of [[], 0] as TrustedProxiesSetting[]) {
        expect(client(setting, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https' })).to.deep.equal({ address: '127.0.0.1', proto: 'http', peerTrusted: false });
        expect(client(setting, '127.0.0.1', { forwarded: 'for=203.0.113.9' }, 'forwarded').address).to.equal('127.0.0.1');
      }
    });

    it('writes an IPv4-mapped peer as IPv4 and takes https from a TLS socket', () => {
      expect(new TrustedProxies([]).resolve(req('::ffff:192.0.2.1', {}, true))).to.deep.equal({ address: '192.0.2.1', proto: 'https', peerTrusted: false });
    });
  });

  describe('a list of addresses and networks', () => {
    const list = ['10.0.0.0/8', '192.0.2.1', '::1', 'fd00::/8'];

    it('an untrusted peer: X-Forwarded-For is ignored (a spoof)', () => {
      expect(client(list, '198.51.100.4', { 'x-forwarded-for': '203.0.113.9' })).to.deep.equal({ address: '198.51.100.4', proto: 'http', peerTrusted: false });
    });

    it('a trusted peer: the rightmost untrusted hop is the client; what the client wrote at the left is ignored', () => {
      expect(client(list, '10.1.2.3', { 'x-forwarded-for': '203.0.113.9' }).address).to.equal('203.0.113.9');
      expect(client(list, '10.1.2.3', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.9.9.9' }).address).to.equal('203.0.113.9');
      expect(client(list, '10.1.2.3', { 'x-forwarded-for': ['1.1.1.1', '203.0.113.9'] }).address, 'repeated header lines').to.equal('203.0.113.9');
    });

    it('every hop trusted: the leftmost is the client', () => {
      expect(client(list, '10.1.2.3', { 'x-forwarded-for': '10.0.0.7, 192.0.2.1' }).address).to.equal('10.0.0.7');
    });

    it('IPv6 peers, networks and forwarded addresses (bracketed, with ports, mapped IPv4)', () => {
      expect(client(list, '::1', { 'x-forwarded-for': '2001:db8::7' }).address).to.equal('2001:db8::7');
      expect(client(list, 'fd12::1', { 'x-forwarded-for': '[2001:DB8::7]:4711' }).address).to.equal('2001:db8::7');
      expect(client(list, '::ffff:10.0.0.1', { 'x-forwarded-for': '::ffff:203.0.113.9' }).address).to.equal('203.0.113.9');
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '203.0.113.9:5000' }).address).to.equal('203.0.113.9');
      expect(client(list, '2001:db8::1', { 'x-forwarded-for': '203.0.113.9' }).address, 'an untrusted IPv6 peer').to.equal('2001:db8::1');
    });

    it('X-Forwarded-Proto is taken for the client hop, only http or https', () => {
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'HTTPS' }).proto).to.equal('https');
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9', 'x-forwarded-proto': 'https' }).proto, 'one value from an overwriting proxy').to.equal('https');
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '203.0.113.9, 10.0.0.2', 'x-forwarded-proto': 'https, http' }).proto, 'aligned from the right').to.equal('https');
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'gopher' }).proto).to.equal('http');
      expect(client(list, '198.51.100.4', { 'x-forwarded-proto': 'https' }).proto, 'from an untrusted peer').to.equal('http');
    });

    it('garbage met while skipping trusted hops falls back to the peer; garbage further left is never read', () => {
      for (const xff of ['', ' ', 'garbage', '203.0.113.9, not-an-ip', '999.1.1.1', '[203.0.113.9]', 'unknown', ',,,', '\u0000']) {
        expect(client(list, '10.0.0.1', { 'x-forwarded-for': xff }), JSON.stringify(xff)).to.deep.equal({ address: '10.0.0.1', proto: 'http', peerTrusted: true });
      }
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': 'garbage, 10.0.0.5' }).address).to.equal('10.0.0.1');
      expect(client(list, '10.0.0.1', { 'x-forwarded-for': '"<script>", [::1, 203.0.113.9' }).address).to.equal('203.0.113.9');
    });
  });

  describe('a hop count', () => {
    it('1: the peer is the proxy, the rightmost entry is the client', () => {
      expect(client(1, '127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' })).to.deep.equal({ address: '203.0.113.9', proto: 'http', peerTrusted: true });
    });

    it('2: two proxies in a row, the second entry from the right is the client', () => {
      expect(client(2, '127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' }).address).to.equal('203.0.113.9');
    });

    it('fewer entries than hops: the leftmost one; none: the peer', () => {
      expect(client(3, '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }).address).to.equal('203.0.113.9');
      expect(client(3, '127.0.0.1').address).to.equal('127.0.0.1');
    });
  });

  describe('RFC 7239 Forwarded (forwardedHeader: forwarded)', () => {
    const list = ['127.0.0.1'];
    it('for= and proto= of the client element, IPv6 quoted and bracketed (§6)', () => {
      expect(client(list, '127.0.0.1', { forwarded: 'for=192.0.2.43;proto=https;by=203.0.113.60' }, 'forwarded')).to.deep.equal({ address: '192.0.2.43', proto: 'https', peerTrusted: true });
      expect(client(list, '127.0.0.1', { forwarded: 'for=6.6.6.6, For="[2001:db8:cafe::17]:4711"' }, 'forwarded').address).to.equal('2001:db8:cafe::17');
    });

    it('X-Forwarded-For is not read when Forwarded is configured, nor the other way round', () => {
      expect(client(list, '127.0.0.1', { 'x-forwarded-for': '192.0.2.43' }, 'forwarded').address).to.equal('127.0.0.1');
      expect(client(list, '127.0.0.1', { forwarded: 'for=192.0.2.43' }).address).to.equal('127.0.0.1');
    });

    it('obfuscated or unknown nodes (§6.3, §6.4) and an unbalanced quote fall back to the peer; a client\'s bad element is skipped', () => {
      for (const forwarded of ['for=unknown', 'for=_hidden', 'for="[2001:db8::1"', 'proto=https', 'for', '=;=;', 'for="192.0.2.1, for=192.0.2.2']) {
        expect(client(list, '127.0.0.1', { forwarded }, 'forwarded').address, forwarded).to.be.oneOf(['127.0.0.1', '192.0.2.2']);
      }
      expect(client(list, '127.0.0.1', { forwarded: 'for="[2001:db8::1"' }, 'forwarded').address).to.equal('127.0.0.1');
      expect(client(list, '127.0.0.1', { forwarded: 'for="oops;, for=192.0.2.9' }, 'forwarded').address).to.equal('192.0.2.9');
    });
  });

  describe('settings check', () => {
    it('names every entry that is not an address or a network', () => {
      expect(trustedProxyProblems(['10.0.0.0/8', '::1', 'fd00::/8', '192.0.2.1/32', '::/0'])).to.deep.equal([]);
      const problems = trustedProxyProblems(['10.0.0.0/33', 'localhost', '10.0.0.0/8/8', 'fd00::/129', '10.0.0.0/', '10.0.0.0/x']);
      expect(problems).to.have.length(6);
      expect(problems[0]).to.contain('trustedProxies[0]').and.contain('10.0.0.0/33');
      expect(() => new TrustedProxies(['localhost'])).to.throw(/trustedProxies\[0\]/);
      expect(trustedProxyProblems(2)).to.deep.equal([]);
    });

    it('resolveSettings: a list or a hop count (defaults: none, x-forwarded-for, log off); a bad entry or shape stops start-up naming the field', () => {
      const base = { issuer: 'http://issuer.test', applications: { a: { audience: 'a', roles: {}, routes: [] } } };
      const defaults = resolveSettings(base, '/tmp');
      expect(defaults).to.deep.include({ trustedProxies: [], forwardedHeader: 'x-forwarded-for', accessLog: { enabled: false, destination: 'stdout' } });
      expect(resolveSettings({ ...base, trustedProxies: 2 }, '/tmp').trustedProxies).to.equal(2);
      expect(() => resolveSettings({ ...base, trustedProxies: ['::1', 'localhost'] }, '/tmp')).to.throw(/plugins\.portcullis\.trustedProxies\[1\]: "localhost" is not an IPv4 or IPv6 address/);
      expect(() => resolveSettings({ ...base, trustedProxies: '10.0.0.0/8' }, '/tmp')).to.throw(/plugins\.portcullis\.trustedProxies: must be/);
      expect(() => resolveSettings({ ...base, trustedProxies: 21 }, '/tmp')).to.throw(/trustedProxies: must be <= 20/);
      expect(() => resolveSettings({ ...base, forwardedHeader: 'x-real-ip' }, '/tmp')).to.throw(/forwardedHeader/);
      expect(() => resolveSettings({ ...base, accessLog: { enabled: true, destination: '/var/log/x' } }, '/tmp')).to.throw(/accessLog\.destination/);
    });
  });

  describe('parseNode', () => {
    it('reads the address forms forwarding headers use, and nothing else', () => {
      expect(parseNode(' 192.0.2.1 ')).to.equal('192.0.2.1');
      expect(parseNode('192.0.2.1:80')).to.equal('192.0.2.1');
      expect(parseNode('[::1]:80')).to.equal('::1');
      expect(parseNode('::1')).to.equal('::1');
      for (const bad of ['[192.0.2.1]', '::1:80x', 'example.com', '192.0.2.1:', '192.0.2.1:123456', '']) expect(parseNode(bad), bad).to.equal(undefined);
    });
  });
});
