/**
 * The guard's own CPU per request on a cache hit, without HTTP: the plain Express middleware of
 * `portcullis.guard(...)` called back to back on a Node IncomingMessage/ServerResponse pair, for a
 * trusted issuer's token (the standalone suite's contender) and for Portcullis's own token.
 * No sockets, so the figure is the guard's code alone: what the standalone suite's "guard adds
 * over no auth" is made of. Profile it with `node --cpu-prof -r tsx/cjs bench/guard-hit.ts`.
 *
 *   npm run build && npx tsx bench/guard-hit.ts   # µs per call for each case (median of 5 rounds)
 * The compiled library (dist/), as users run it: through tsx the same code costs about twice as much.
 */
import http from 'node:http';
import { Socket } from 'node:net';
import { FakeIssuer } from '../test/helpers/fake-issuer';
import { Portcullis, resolveSettings } from '../dist/index';
import { createLogger } from '../dist/logging/logger';

const AUDIENCE = 'urn:bench:api';
const SCOPE = 'api:read';

function request(token: string): http.IncomingMessage {
  const req = new http.IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = '/api/hello';
  req.headers = { host: '127.0.0.1:3000', authorization: `Bearer ${token}`, connection: 'keep-alive', 'user-agent': 'autocannon' };
  req.rawHeaders = ['host', '127.0.0.1:3000', 'authorization', `Bearer ${token}`, 'connection', 'keep-alive', 'user-agent', 'autocannon'];
  return req;
}

async function time(name: string, mw: (req: http.IncomingMessage, res: http.ServerResponse, next: (e?: unknown) => void) => void, token: string, n: number): Promise<number> {
  let failures = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(token);
      const res = new http.ServerResponse(req);
      mw(req, res, (err) => {
        if (err) failures++;
        resolve();
      });
      if (res.statusCode !== 200) failures++;
    });
  await once();
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await once();
  const t = process.cpuUsage(t0);
  if (failures) throw new Error(`${name}: ${failures} refusals`);
  return (t.user + t.system) / n;
}

async function main(): Promise<void> {
  const jwt = await FakeIssuer.start();
  const settings = resolveSettings({
    issuer: 'http://127.0.0.1/portcullis-bench',
    store: { sqlitePath: ':memory:' },
    trustedIssuers: [{ issuer: jwt.issuer, permissions: 'scopes' }],
    applications: { api: { audience: AUDIENCE, roles: { reader: [SCOPE] }, routes: [{ methods: ['GET'], path: '/api/**', permission: SCOPE }], trustedIssuers: [jwt.issuer] } },
  }, process.cwd());
  const portcullis = await Portcullis.open(settings, { logger: createLogger('error', () => undefined) });
  await portcullis.trustedIssuers.start();
  const foreign = await jwt.sign({ sub: 'user-1', client_id: 'bench-client', aud: AUDIENCE, scope: SCOPE }, { ttl: 3600 });
  const client = await portcullis.clients.create({ name: 'bench', application: 'api', type: 'service', roles: ['reader'] });
  const own = (await portcullis.tokens.issue({ clientId: client.client.clientId, subject: client.client.clientId, audience: AUDIENCE, roles: ['reader'] })).token;
  const mw = portcullis.guard({ application: 'api' }).middleware();
  const n = Number(process.env.BENCH_CALLS ?? 100_000);
  const empty = async () => undefined;
  const rows: Record<string, number[]> = { 'trusted issuer': [], 'own token': [], 'no guard (the loop alone)': [] };
  for (let round = 0; round < 5; round++) {
    rows['trusted issuer'].push(await time('trusted', mw, foreign, n));
    rows['own token'].push(await time('own', mw, own, n));
    rows['no guard (the loop alone)'].push(await time('none', (_q, _s, next) => void empty().then(() => next()), foreign, n));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const [name, xs] of Object.entries(rows)) console.log(`${name.padEnd(28)} ${median(xs).toFixed(2)} µs CPU per call (rounds ${xs.map((x) => x.toFixed(1)).join(' ')})`);
  await portcullis.close();
  await jwt.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
