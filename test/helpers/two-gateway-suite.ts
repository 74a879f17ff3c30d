import { expect } from 'chai';
import { startGateway, type GatewayProcess } from './gateway-process';

/** How a suite's two gateways reach their shared store, and how to tidy up after them. */
export interface SharedStore {
  /** Environment for both gateways (and their CLI): store type, URL or config folder, prefix. */
  env: NodeJS.ProcessEnv;
  cleanup?(): Promise<void>;
}

/**
 * Two gateway instances sharing one Redis deployment: what the Redis store exists for. A client
 * created through one node works on the other, and disabling it anywhere stops its tokens on
 * every node within a second. `shared` runs in `before`, so it may start servers.
 */
export function twoGatewaySuite(title: string, shared: () => Promise<SharedStore>): void {
  describe(title, function () {
    this.timeout(60_000);
    let store: SharedStore | undefined;
    let a: GatewayProcess;
    let b: GatewayProcess;

    before(async () => {
      store = await shared();
      a = await startGateway(store.env);
      b = await startGateway(store.env);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop()]);
      await store?.cleanup?.();
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
      expect(ka.keys.length).to.be.above(0);
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

    it('a token revoked on node B is refused on node A', async () => {
      const created = await b.cli(['clients', 'create', '--name', 'revoker', '--application', 'echo', '--role', 'echo-reader', '--json']);
      expect(created.code, created.stderr).to.equal(0);
      const { client_id: id, client_secret: secret } = JSON.parse(created.stdout);
      const t = await token(a, id, secret);
      expect((await echo(a, t)).status).to.equal(200);
      const revoked = await fetch(`${b.baseUrl}/oauth2/revoke`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
        body: new URLSearchParams({ token: t }),
      });
      expect(revoked.status).to.equal(200);
      const since = Date.now();
      while ((await echo(a, t)).status !== 401) {
        expect(Date.now() - since, 'refused on node A within a second').to.be.below(1000);
      }
    });
  });
}
