import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { gatewayEnv, startExpectingFailure, startGateway, tempDir, type GatewayProcess } from '../helpers/gateway-process';

/**
 * An application whose rules come from an OpenAPI document, in the real gateway (`portcullis
 * start`, Express Gateway in front of the sample echo API): the document is read at start, and a
 * bad one stops start-up with nothing bound.
 */
const PETSTORE = path.resolve(__dirname, '..', 'fixtures', 'openapi', 'petstore.yaml');

const PETS_APPLICATION = (document: string) =>
  [
    '      pets:',
    '        audience: urn:portcullis:application:pets',
    '        roles:',
    '          pet-reader: [pets:read]',
    '          pet-keeper: [pets:read, pets:write, pets:admin, pets:own, store:read, store:order, users:read]',
    '        openapi:',
    `          document: ${JSON.stringify(document)}`,
    '',
  ].join('\n');

const PETS_PIPELINE = [
  '  pets:',
  '    apiEndpoints:',
  '      - pets',
  '    policies:',
  '      - portcullis-guard:',
  '          - action:',
  '              application: pets',
  '      - proxy:',
  '          - action:',
  '              serviceEndpoint: echo',
  '              changeOrigin: true',
  '',
].join('\n');

/** The sample config plus the `pets` application (reading `document`) behind its own pipeline on /v1. */
function petsConfig(document: string): string {
  const dir = configWith('system.config.yml', (t) => t.replace(/^ {4}applications:\n/m, (m) => m + PETS_APPLICATION(document)));
  const gateway = path.join(dir, 'gateway.config.yml');
  const text = fs
    .readFileSync(gateway, 'utf8')
    .replace(/^apiEndpoints:\n/m, (m) => `${m}  pets:\n    host: '*'\n    paths: ['/v1', '/v1/*']\n`)
    .replace(/^pipelines:\n/m, (m) => m + PETS_PIPELINE);
  fs.writeFileSync(gateway, text);
  return dir;
}

function listening(port: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('e2e: permissions from an OpenAPI document in the gateway', function () {
  this.timeout(60_000);

  describe('a good document', function () {
    let gw: GatewayProcess;
    before(async function () {
      gw = await startGateway({ PORTCULLIS_CONFIG_DIR: petsConfig(PETSTORE) });
    });
    after(() => gw?.stop());

    async function tokenFor(role: string): Promise<string> {
      const created = await gw.cli(['clients', 'create', '--name', role, '--application', 'pets', '--role', role, '--json']);
      expect(created.code, created.stderr).to.equal(0);
      const client = JSON.parse(created.stdout) as { client_id: string; client_secret: string };
      const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
        method: 'POST',
        headers: { Authorization: 'Basic ' + Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64'), 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).to.equal(200);
      return ((await res.json()) as { access_token: string }).access_token;
    }

    it('enforces the operations\' rules through Express Gateway, and lets the public one through without a token', async function () {
      const reader = await tokenFor('pet-reader');
      const get = await fetch(`${gw.baseUrl}/v1/pets/7`, { headers: { Authorization: `Bearer ${reader}` } });
      expect(get.status).to.equal(200);
      const seen = (await get.json()) as { identity: Record<string, string> };
      expect(seen.identity['x-portcullis-permissions']).to.equal('pets:read');
      const del = await fetch(`${gw.baseUrl}/v1/pets/7`, { method: 'DELETE', headers: { Authorization: `Bearer ${reader}` } });
      expect(del.status).to.equal(403);
      expect(((await del.json()) as { error_description: string }).error_description).to.equal('this request needs the pets:admin permission, or the pets:write and pets:own permissions');
      const status = await fetch(`${gw.baseUrl}/v1/store/status`, { headers: { 'X-Portcullis-Subject': 'forged' } });
      expect(status.status).to.equal(200);
      const upstream = (await status.json()) as { identity: Record<string, string> };
      expect(upstream.identity, 'no identity header reaches the upstream of a public operation').to.deep.equal({});
      expect((await fetch(`${gw.baseUrl}/v1/pets/7`)).status).to.equal(401);
    });
  });

  it('a bad document stops `portcullis start`, naming the operation; nothing is bound', async function () {
    const bad = path.join(tempDir(), 'petstore.yaml');
    fs.writeFileSync(bad, fs.readFileSync(PETSTORE, 'utf8').replace('      x-portcullis-permission: store:read\n', ''));
    const env = await gatewayEnv({ PORTCULLIS_CONFIG_DIR: petsConfig(bad) });
    const { code, output } = await startExpectingFailure(env);
    expect(output, output).to.match(/application "pets", openapi document .*petstore\.yaml: GET \/store\/inventory \(getInventory\): security scheme "api_key" is of type apiKey/);
    expect(output).to.not.match(/unexpected failure|\n\s+at /);
    expect(code, output).to.equal(2);
    expect(await listening(env.PORT)).to.equal(false);
    expect(await listening(env.PORTCULLIS_ECHO_PORT)).to.equal(false);
  });
});
