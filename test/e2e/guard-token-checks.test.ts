import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, tempDir, type GatewayProcess } from '../helpers/gateway-process';
import { eachStore } from '../helpers/each-store';

const CONFIG = path.resolve(__dirname, '..', '..', 'config');

/**
 * Through the real gateway (Express Gateway, the policy schema, the plugin): the guard's
 * `maxTokenLifetime` parameter from gateway.config.yml, and a re-spelled token (RFC 7515 §2).
 */
eachStore('e2e: the guard checks the token lifetime and spelling through the real gateway', function (backend) {
  this.timeout(60_000);
  let gw: GatewayProcess;

  before(async () => {
    const dir = tempDir();
    for (const name of ['gateway.config.yml', 'system.config.yml']) {
      const text = fs.readFileSync(path.join(CONFIG, name), 'utf8');
      // The reports pipeline allows at most 10 minutes; echo keeps the default (accessTokenTtl + leeway).
      fs.writeFileSync(path.join(dir, name), name === 'gateway.config.yml' ? text.replace('application: reports', 'application: reports\n              maxTokenLifetime: 600') : text);
    }
    expect(fs.readFileSync(path.join(dir, 'gateway.config.yml'), 'utf8')).to.contain('maxTokenLifetime: 600');
    gw = await startGateway({ ...backend.env(), PORTCULLIS_CONFIG_DIR: dir });
  });
  after(async () => {
    await gw?.stop();
  });

  async function tokenFor(application: string, role: string): Promise<string> {
    const created = await gw.cli(['clients', 'create', '--name', `lifetime ${application}`, '--application', application, '--role', role, '--json']);
    expect(created.code, created.stderr).to.equal(0);
    const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
    const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { Authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).to.equal(200);
    return (await res.json()).access_token;
  }

  async function expectInvalidToken(res: Response, description: RegExp) {
    expect(res.status).to.equal(401);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.headers.get('www-authenticate')).to.match(/^Bearer realm="portcullis", error="invalid_token", error_description="[^"]+"$/);
    const body = await res.json();
    expect(body.error).to.equal('invalid_token');
    expect(body.error_description).to.match(description);
  }

  const call = (p: string, token: string) => fetch(`${gw.baseUrl}${p}`, { headers: { Authorization: `Bearer ${token}` } });

  it('maxTokenLifetime: 600 refuses a one-hour token; the default of the other pipeline accepts one', async () => {
    await expectInvalidToken(await call('/reports/x', await tokenFor('reports', 'reports-reader')), /lives longer than this issuer allows/);
    expect((await call('/echo/hello', await tokenFor('echo', 'echo-reader'))).status).to.equal(200);
  });

  it('a token re-spelled in the standard base64 alphabet or padded is 401 invalid_token', async () => {
    const token = await tokenFor('echo', 'echo-reader');
    const [h, p, s] = token.split('.');
    expect((await call('/echo/hello', token)).status, 'as issued').to.equal(200);
    await expectInvalidToken(await call('/echo/hello', `${h}.${p}.${s}==`), /malformed/);
    // The kid (an RFC 7638 thumbprint) or the signature holds a - or _ in all but rare tokens.
    const standard = token.replace(/-/g, '+').replace(/_/g, '/');
    if (standard !== token) await expectInvalidToken(await call('/echo/hello', standard), /malformed/);
  });
});
