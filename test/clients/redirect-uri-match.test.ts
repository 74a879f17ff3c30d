import { expect } from 'chai';
import { matchesRedirectUri } from '../../src/clients/redirect-uri-match';

/** The one comparison of redirect URIs: exact (RFC 9700 §4.1.3), loopback port free (RFC 8252 §7.3). */
describe('matchesRedirectUri', () => {
  const registered = ['https://app.example/cb', 'http://127.0.0.1/cb', 'http://[::1]:7000/cb?x=1', 'http://localhost:3000/cb', 'com.example.app:/cb'];

  it('matches exactly registered strings', () => {
    for (const uri of registered) expect(matchesRedirectUri(registered, uri), uri).to.equal(true);
  });

  it('lets only the port of a loopback IP literal vary', () => {
    for (const uri of ['http://127.0.0.1:1/cb', 'http://127.0.0.1:65535/cb', 'http://[::1]/cb?x=1', 'http://[::1]:80/cb?x=1']) {
      expect(matchesRedirectUri(registered, uri), uri).to.equal(true);
    }
  });

  it('keeps everything else exact', () => {
    for (const uri of [
      'https://app.example:443/cb', 'https://app.example/cb/', 'http://localhost/cb', 'http://localhost:3001/cb', 'http://127.0.0.1:5/cb?', 'http://127.0.0.1:5/cb#',
      'http://[::1]:5/cb', 'http://[::1]:5/cb?x=2', 'http://127.0.0.1:5/Cb', 'http://127.0.0.1:0/cb', 'http://127.0.0.1:99999/cb', 'http://127.0.0.1:5@evil.example/cb',
      'http://u@127.0.0.1:5/cb', 'http://127.0.0.1 :5/cb', 'http://127.0.0.1:5/cb\t', 'com.example.app:/cb ', '',
    ]) {
      expect(matchesRedirectUri(registered, uri), uri).to.equal(false);
    }
  });

  it('never matches a value with characters outside RFC 3986, even one stored that way', () => {
    expect(matchesRedirectUri(['https://app.example/c b'], 'https://app.example/c b')).to.equal(false);
    expect(matchesRedirectUri(['http://127.0.0.1/c b'], 'http://127.0.0.1:5/c b')).to.equal(false);
  });
});
