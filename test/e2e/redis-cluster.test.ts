import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two gateway instances sharing one Redis: the deployment the Redis store exists for. A client
 * created through one node works on the other, and disabling it anywhere stops its tokens on
 * every node within a second.
 */
describe('e2e: two gateway nodes on one Redis', function () {
  this.timeout(60_000);
  const prefix = `portcullis-e2e:${randomBytes(4).toString('hex')}:`;
  let a: GatewayProcess;
  let b: GatewayProcess;

  before(async () => {
    const shared = { PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: REDIS_URL, PORTCULLIS_REDIS_PREFIX: prefix, PORTCULLIS_ISSUER: 'http://issuer.cluster.test' };
    a = await startGateway(shared);
    b = await startGateway(shared);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
    await redis.close();
  });

  const token = async (gw: GatewayProcess, id: string, secret: string) => {
    const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
    });
    expect(res.status).to.equal(200);
    return (await res.json()).access_token as string;
  };
  const echo = (gw: GatewayProcess, t: string) => fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${t}` } });

  it('publishes the same signing keys on both nodes', async () => {
    const [ka, kb] = await Promise.all([a, b].map(async (gw) => (await fetch(`${gw.baseUrl}/.well-known/jwks.json`)).json()));
    expect(ka.keys.map((k: { kid: string }) => k.kid)).to.deep.equal(kb.keys.map((k: { kid: string }) => k.kid));
  });

  it('a token from node A works on node B, and disabling the client stops it on both within a second', async () => {
    const created = await a.cli(['clients', 'create', '--name', 'cluster', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(created.code, created.stderr).to.equal(0);
    const { client_id: id, client_secret: secret } = JSON.parse(created.stdout);
    const t = await token(a, id, secret);
    expect((await echo(b, t)).status).to.equal(200);
    expect((await echo(a, t)).status).to.equal(200);

    const disabled = await b.cli(['clients', 'disable', id, '--json']);
    expect(disabled.code, disabled.stderr).to.equal(0);
    const since = Date.now();
    const refusedEverywhere = async () => (await echo(a, t)).status === 401 && (await echo(b, t)).status === 401;
    while (!(await refusedEverywhere())) {
      expect(Date.now() - since, 'refused on every node within a second').to.be.below(1000);
    }
  });
});
