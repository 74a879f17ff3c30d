import { expect } from 'chai';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_REMOVE_HEADERS } from '../../src/guard/removed-headers';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { rawRequest, type RawResponse } from '../helpers/raw-http';
import { eachStore } from '../helpers/each-store';

/** What the upstream behind the real gateway received. */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
}

/**
 * The proxy case of issue 7 items 10 and 11, through the real gateway (Express Gateway's `proxy`
 * policy, http-proxy) to an upstream that records every request: a request must not carry a meaning
 * the guard's permission check did not see (method overrides, path overrides, paths that decode to
 * a dot segment or a separator a second time, RFC 3986 §2.4), and identity headers of other
 * products never reach the upstream.
 */
eachStore('e2e: what reaches the upstream through the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;
  let upstream: http.Server;
  const received: Received[] = [];
  let reader: string;

  before(async () => {
    upstream = http.createServer((req, res) => {
      received.push({ method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders });
      req.resume();
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"upstream":"recorder"}'));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    gw = await startGateway({ ...backend.env(), PORTCULLIS_ECHO_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}` });
    const created = await gw.cli(['clients', 'create', '--name', 'reader', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(created.code, created.stderr).to.equal(0);
    const { client_id, client_secret } = JSON.parse(created.stdout);
    const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${client_id}:${client_secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    reader = (await res.json()).access_token;
  });
  after(async () => {
    await gw?.stop();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const asReader = (method: string, path: string, headers: Array<[string, string]> = []) =>
    rawRequest(gw.baseUrl, method, path, [['Authorization', `Bearer ${reader}`], ...headers]);

  /** RFC 6750 §3.1 invalid_request with the challenge, and nothing reached the upstream. */
  function expectRefused(res: RawResponse, description: RegExp): void {
    expect(res.status, res.text).to.equal(400);
    const body = JSON.parse(res.text);
    expect(body.error).to.equal('invalid_request');
    expect(body.error_description).to.match(description);
    expect(res.headers['www-authenticate']).to.equal(`Bearer realm="portcullis", error="invalid_request", error_description="${body.error_description}"`);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(received, 'the upstream was not called').to.deep.equal([]);
  }

  it('control: a reader\'s GET reaches the upstream as GET', async () => {
    const res = await asReader('GET', '/echo/hello');
    expect(res.status, res.text).to.equal(200);
    expect(received.map((r) => [r.method, r.url])).to.deep.equal([['GET', '/echo/hello']]);
  });

  for (const header of ['X-HTTP-Method-Override', 'X-HTTP-Method', 'X-Method-Override']) {
    it(`a reader's GET with ${header}: DELETE -> 400, the upstream never sees it`, async () => {
      expectRefused(await asReader('GET', '/echo/reports/x', [[header, 'DELETE']]), new RegExp(`${header.toLowerCase()} header names another method`));
    });

    it(`${header}: get (the request's own method) passes, and is removed before the upstream`, async () => {
      const res = await asReader('GET', '/echo/hello', [[header, 'get']]);
      expect(res.status, res.text).to.equal(200);
      expect(received).to.have.length(1);
      expect(received[0].headers).to.not.have.property(header.toLowerCase());
    });
  }

  it('an underscore spelling (X_HTTP_Method_Override: DELETE, one header to CGI-style backends) -> 400', async () => {
    expectRefused(await asReader('GET', '/echo/x', [['X_HTTP_Method_Override', 'DELETE']]), /x-http-method-override header names another method/);
  });

  it('a reader\'s GET with ?_method=DELETE (Rails, Laravel, method-override) -> 400', async () => {
    expectRefused(await asReader('GET', '/echo/x?_method=DELETE'), /_method query parameter names another method/);
    expectRefused(await asReader('GET', '/echo/x?a=1&%5Fmethod=delete'), /_method query parameter/);
  });

  for (const header of ['X-Original-URL', 'X-Rewrite-URL']) {
    it(`${header} (IIS, Symfony, Zend route by it) -> 400`, async () => {
      expectRefused(await asReader('GET', '/echo/x', [[header, '/reports/q1']]), new RegExp(`${header.toLowerCase()} header is not accepted`));
    });
  }

  for (const path of ['/echo/%252e%252e/reports/x', '/echo/x%252f..%252f..%252freports', '/echo/..%255creports', '/echo/x%2500.txt', '/echo/%25252e%25252e/reports']) {
    it(`${path} (a dot segment or separator on a second decoding) -> 400, not passed as it is`, async () => {
      expectRefused(await asReader('GET', path), /ambiguous request path/);
    });
  }

  it('an absolute-form target naming another path is refused, not routed by one and checked by another', async () => {
    expectRefused(await asReader('GET', `http://127.0.0.1:1/echo/../reports/x`), /ambiguous request path/);
  });

  it('identity headers of other products never reach the upstream; X-Forwarded-For does', async () => {
    const spoofed: Array<[string, string]> = [
      ['X-User-Id', 'admin'], ['X-User-Roles', 'admin'], ['X-Forwarded-User', 'admin'], ['X-Authenticated-Userid', 'admin'],
      ['X-Remote-User', 'admin'], ['Remote-User', 'admin'], ['X-Consumer-Id', 'c1'], ['X-Consumer-Username', 'admin'],
      ['X-Credential-Identifier', 'k'], ['X-Forwarded-Email', 'a@b'], ['X-Forwarded-Groups', 'admins'], ['X-Auth-Request-User', 'admin'],
      ['X-Amzn-Oidc-Identity', 'admin'], ['X-MS-CLIENT-PRINCIPAL-NAME', 'admin'], ['X-Goog-Authenticated-User-Email', 'a@b'],
      ['Cf-Access-Authenticated-User-Email', 'a@b'], ['X-Forwarded-Client-Cert', 'Hash=1'], ['X_User_Id', 'admin'], ['X_Portcullis_Roles', 'admin'],
      ['X-Forwarded-For', '203.0.113.9'],
    ];
    const res = await asReader('GET', '/echo/hello', spoofed);
    expect(res.status, res.text).to.equal(200);
    const [seen] = received;
    const names = Object.keys(seen.headers);
    for (const [name] of spoofed.slice(0, -1)) expect(names, name).to.not.include(name.toLowerCase());
    const raw = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    for (const [name] of spoofed.slice(0, -1)) expect(raw, name).to.not.include(name.toLowerCase());
    expect(seen.headers['x-forwarded-for']).to.match(/^203\.0\.113\.9/);
    expect(seen.headers['x-portcullis-application']).to.equal('echo');
    expect(DEFAULT_REMOVE_HEADERS.some((n) => n.startsWith('x-forwarded-f') || n === 'x-forwarded-*')).to.equal(false);
  });

  it('the issuer\'s session and CSRF cookies never reach the upstream (browsers send them to every path of the host)', async () => {
    const res = await asReader('GET', '/echo/hello', [['Cookie', 'portcullis_session=live-session; app=1'], ['Cookie', 'portcullis_csrf=c']]);
    expect(res.status, res.text).to.equal(200);
    expect(received[0].headers.cookie).to.equal('app=1');
    expect(received[0].rawHeaders.join('\n')).to.not.include('portcullis_session').and.not.include('portcullis_csrf');
  });
});
