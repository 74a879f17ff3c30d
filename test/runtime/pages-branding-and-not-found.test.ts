import { expect } from 'chai';
import request from 'supertest';
import { SettingsError } from '../../src/config/settings';
import { makeUser, signedIn } from '../helpers/admin-session';
import { startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';

const BRANDING = { productName: 'Acme <ID>', logoUrl: 'https://cdn.acme.example/logo.svg', primaryColor: '#0b5cad' };

describe('pages: branding from the settings, and a page (or JSON) for every unknown path', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ settings: testSettings({ branding: BRANDING }) });
  });
  after(() => server?.close());

  it('the sign-in page shows the product name (escaped) and the logo, and its CSP allows the logo origin as an image only', async () => {
    const res = await request(server.app).get('/login');
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<span id="brand-name">Acme &#60;ID&#62;</span>');
    expect(res.text).to.contain('<title>Sign in · Acme &#60;ID&#62;</title>');
    expect(res.text).to.match(/<img src="https:&#47;&#47;cdn.acme.example&#47;logo.svg" alt="" id="brand-logo">/);
    const csp = res.headers['content-security-policy'];
    expect(csp).to.contain("img-src 'self' https://cdn.acme.example;");
    expect(csp).to.contain("default-src 'none'");
    expect(csp).to.contain("style-src 'self';");
  });

  it('the stylesheet carries the primary colour (the CSP allows no inline style)', async () => {
    const res = await request(server.app).get('/assets/portcullis.css');
    expect(res.status).to.equal(200);
    expect(res.text.trimEnd().endsWith(':root{--primary:#0b5cad}')).to.equal(true);
  });

  it('without branding settings: Portcullis, its colour, no logo, img-src self only', async () => {
    const plain = await startTestServer();
    try {
      const res = await request(plain.app).get('/login');
      expect(res.text).to.contain('<span id="brand-name">Portcullis</span>');
      expect(res.text).to.not.contain('brand-logo');
      expect(res.headers['content-security-policy']).to.contain("img-src 'self';");
      expect((await request(plain.app).get('/assets/portcullis.css')).text).to.contain(':root{--primary:#24408e}');
    } finally {
      await plain.close();
    }
  });

  it('settings refuse a colour that is not #rrggbb and a logo that is not https or a local path', () => {
    for (const branding of [{ primaryColor: 'red' }, { primaryColor: '#12345' }, { logoUrl: 'http://cdn.example/l.png' }, { logoUrl: '//cdn.example/l.png' }, { logoUrl: 'javascript:alert(1)' }, { logoUrl: 'https://x.example/a"b' }, { productName: '' }]) {
      expect(() => testSettings({ branding }), JSON.stringify(branding)).to.throw(SettingsError, /branding/);
    }
    expect(testSettings({ branding: { logoUrl: '/assets/logo.png' } }).branding).to.deep.equal({ productName: 'Portcullis', primaryColor: '#24408e', logoUrl: '/assets/logo.png' });
  });

  it('an unknown path under the pages is a 404 page in the layout, with the request id of the X-Request-Id header and a way back', async () => {
    for (const path of ['/login/nothing', '/logout/x', '/assets/none.css']) {
      const res = await request(server.app).get(path).set('Accept', 'text/html');
      expect(res.status, path).to.equal(404);
      expect(res.headers['content-type']).to.match(/^text\/html/);
      expect(res.text).to.contain('<h1>Page not found</h1>');
      expect(res.text).to.contain(`<code id="request-id">${res.headers['x-request-id']}</code>`);
      expect(res.text).to.contain('id="way-back" href="&#47;login"');
      expect(res.text).to.not.contain('Cannot GET');
    }
  });

  it('/oauth2/...: a browser gets the page, a program the JSON not_found; /admin/api/... is always JSON', async () => {
    const page = await request(server.app).get('/oauth2/nothing').set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(page.status).to.equal(404);
    expect(page.text).to.contain('Page not found');
    for (const [path, accept] of [['/oauth2/nothing', 'application/json'], ['/oauth2/nothing', '*/*'], ['/admin/api/v2/apps', 'text/html'], ['/admin/api', 'text/html']]) {
      const res = await request(server.app).get(path).set('Accept', accept);
      expect(res.status, `${path} ${accept}`).to.equal(404);
      expect(res.body, `${path} ${accept}`).to.deep.include({ error: 'not_found', request_id: res.headers['x-request-id'] });
    }
    // A POST to an unknown /oauth2 path is a program's: JSON.
    expect((await request(server.app).post('/oauth2/nothing').set('Accept', 'text/html')).body.error).to.equal('not_found');
  });

  it('an unknown admin path: anonymous are sent to sign in; a signed-in admin gets the 404 page with a way back to the apps', async () => {
    const anonymous = await request(server.app).get('/admin/nothing');
    expect(anonymous.status).to.equal(303);
    const agent = await signedIn(server, await makeUser(server, { adminRole: 'admin' }));
    const res = await agent.get('/admin/nothing');
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('Page not found');
    expect(res.text).to.contain('id="way-back" href="&#47;admin&#47;apps"');
    expect(res.text).to.contain('<span id="brand-name">Acme &#60;ID&#62;</span>');
  });

  it('the sign-out confirmation has Cancel: back to the issuer page the person came from, else the sign-in page', async () => {
    const issuer = server.portcullis.settings.issuer;
    const plain = await request(server.app).get('/logout');
    expect(plain.text).to.contain('id="cancel-sign-out" href="&#47;login"');
    const fromAdmin = await request(server.app).get('/logout').set('Referer', `${issuer}/admin/users?q=x`);
    expect(fromAdmin.text).to.contain('id="cancel-sign-out" href="&#47;admin&#47;users?q&#61;x"');
    const foreign = await request(server.app).get('/logout').set('Referer', 'https://evil.example/admin');
    expect(foreign.text).to.contain('id="cancel-sign-out" href="&#47;login"');
  });
});
