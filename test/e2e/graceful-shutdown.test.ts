import { expect } from 'chai';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { configWith } from '../helpers/config-copy';
import { freePort, startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { eachStore } from '../helpers/each-store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The protected API of these tests: answers at once, except `/echo/slow...`, which it holds until
 * the test releases it (a slow upstream whose timing the test decides, not a clock). It records
 * every request that reached it.
 */
async function startUpstream() {
  const received = new Set<string>();
  const held: http.ServerResponse[] = [];
  let onHeld: (() => void) | undefined;
  const server = http.createServer((req, res) => {
    const n = new URL(req.url!, 'http://x').searchParams.get('n') ?? '';
    received.add(n);
    const answer = () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ n, filler: 'x'.repeat(2000) }));
    };
    if (req.url!.startsWith('/echo/slow')) {
      held.push(res);
      (res as unknown as { answer: () => void }).answer = answer;
      onHeld?.();
    } else answer();
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Resolves once `count` slow requests are held. */
    heldCount: (count: number) =>
      new Promise<void>((resolve) => {
        onHeld = () => held.length >= count && resolve();
        onHeld();
      }),
    release: () => held.splice(0).forEach((res) => (res as unknown as { answer: () => void }).answer()),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface Outcome {
  n: string;
  status?: number;
  connection?: string;
  body?: string;
  error?: string;
}

/** One guarded GET; never rejects: a failure is an outcome with the error code. */
function get(gw: GatewayProcess, token: string, path: string, n: string, agent: http.Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = http.get(`${gw.baseUrl}${path}?n=${n}`, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ n, status: res.statusCode, connection: res.headers.connection, body }));
      res.on('error', (e: NodeJS.ErrnoException) => resolve({ n, status: res.statusCode, error: e.code ?? e.message }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ n, error: e.code ?? e.message }));
  });
}

/** Resolves once a new TCP connection to the port is refused. */
async function refusesConnections(port: number): Promise<void> {
  for (;;) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
    });
    if (refused) return;
    await sleep(20);
  }
}

async function tokenFor(gw: GatewayProcess): Promise<string> {
  const created = await gw.cli(['clients', 'create', '--name', 'load', '--application', 'echo', '--role', 'echo-reader', '--json']);
  const { client_id: id, client_secret: secret } = JSON.parse(created.stdout);
  const res = await fetch(`${gw.baseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded', connection: 'close' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const withShutdown = (settings: string) => configWith('system.config.yml', (t) => t.replace('    cacheMs: 500\n', `    cacheMs: 500\n    shutdown:\n${settings}`));

eachStore('e2e: graceful shutdown of portcullis start', function (backend) {
  this.timeout(90_000);
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let gw: GatewayProcess | undefined;

  beforeEach(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    upstream.release();
    await gw?.stop();
    upstream.close();
  });

  it('SIGTERM under load: no request that reached the gateway fails, new connections are refused, idle keep-alive connections are closed, exit 0', async () => {
    gw = await startGateway({ ...backend.env(), PORTCULLIS_ECHO_URL: upstream.url });
    const token = await tokenFor(gw);
    const port = Number(gw.env.PORT);

    // A steady stream: four keep-alive loops of guarded requests, each going on until the gateway refuses it.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const stream: Outcome[] = [];
    let next = 0;
    const loops = Array.from({ length: 4 }, async () => {
      for (;;) {
        const outcome = await get(gw!, token, '/echo/fast', `f${next++}`, agent);
        stream.push(outcome);
        if (outcome.error || outcome.status !== 200) return;
      }
    });
    // Slow requests, held by the upstream: in flight when the signal comes.
    const slow = Array.from({ length: 6 }, (_, i) => get(gw!, token, '/echo/slow', `s${i}`, false));
    await upstream.heldCount(6);
    // An idle keep-alive connection (one request answered, nothing since).
    const idle = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(gw, token, '/echo/fast', 'idle', idle)).status).to.equal(200);
    const idleSocket = Object.values(idle.freeSockets).flat()[0]!;
    const idleClosed = new Promise((resolve) => idleSocket.once('close', resolve));
    while (stream.length < 20) await sleep(10);

    gw.signal('SIGTERM');
    await refusesConnections(port);
    await idleClosed;
    let slowSettled = false;
    void Promise.all(slow).then(() => (slowSettled = true));
    await sleep(0);
    expect(slowSettled, 'the slow requests are still in flight while new connections are refused').to.equal(false);
    await Promise.all(loops);

    upstream.release();
    const slowOutcomes = await Promise.all(slow);
    const exit = await gw.exited;
    agent.destroy();
    idle.destroy();

    for (const outcome of slowOutcomes) {
      expect(outcome, 'a slow request in flight at SIGTERM').to.deep.include({ status: 200, connection: 'close' });
      expect(JSON.parse(outcome.body!).n).to.equal(outcome.n);
    }
    const answered = stream.filter((o) => o.status !== undefined);
    expect(answered.every((o) => o.status === 200), `every answer is 200: ${JSON.stringify(answered.filter((o) => o.status !== 200))}`).to.equal(true);
    for (const o of answered) expect(JSON.parse(o.body!).n).to.equal(o.n);
    const failed = stream.filter((o) => o.error);
    // A request fails only at the connection, before it reached the gateway: never one the upstream saw.
    expect(failed.filter((o) => upstream.received.has(o.n)), 'failed in-flight requests').to.deep.equal([]);
    for (const o of failed) expect(o.error).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'socket hang up']);
    expect(answered.length).to.be.at.least(20);
    expect(exit).to.deep.equal({ code: 0, signal: null });
    // SQLite removes the write-ahead log when the last connection closes: the store was closed, not abandoned.
    if (backend.label === 'sqlite') expect(fs.existsSync(`${gw.env.PORTCULLIS_SQLITE_PATH}-wal`), 'the SQLite store was closed').to.equal(false);
  });

  it('when shutdown.graceMs runs out, a request still running is cut off and the exit code is 1', async () => {
    gw = await startGateway({ ...backend.env(), PORTCULLIS_ECHO_URL: upstream.url, PORTCULLIS_CONFIG_DIR: withShutdown('      graceMs: 200\n') });
    const token = await tokenFor(gw);
    const stuck = get(gw, token, '/echo/slow', 'stuck', false);
    await upstream.heldCount(1);
    gw.signal('SIGTERM');
    const exit = await gw.exited;
    const outcome = await stuck;
    expect(exit).to.deep.equal({ code: 1, signal: null });
    expect(outcome.status, 'no answer').to.equal(undefined);
    expect(outcome.error).to.be.oneOf(['ECONNRESET', 'socket hang up']);
    expect(gw.output()).to.contain('shutdown grace time ran out');
  });

  it('with shutdown.delayMs, /readyz is 503 at once while requests are still served with Connection: close; a second SIGTERM ends at once with 1', async () => {
    gw = await startGateway({ ...backend.env(), PORTCULLIS_ECHO_URL: upstream.url, PORTCULLIS_CONFIG_DIR: withShutdown('      delayMs: 60000\n') });
    const token = await tokenFor(gw);
    expect((await fetch(`${gw.baseUrl}/readyz`, { headers: { connection: 'close' } })).status).to.equal(200);
    gw.signal('SIGTERM');
    let readyz: Response;
    do readyz = await fetch(`${gw.baseUrl}/readyz`, { headers: { connection: 'close' } });
    while (readyz.status === 200);
    expect(readyz.status).to.equal(503);
    expect(readyz.headers.get('retry-after')).to.equal('1');
    expect(await readyz.json()).to.deep.equal({ status: 'unavailable', checks: { shutdown: 'in_progress' } });
    expect((await fetch(`${gw.baseUrl}/healthz`, { headers: { connection: 'close' } })).status, 'still alive').to.equal(200);
    const served = await get(gw, token, '/echo/fast', 'during-delay', new http.Agent({ keepAlive: true }));
    expect(served).to.deep.include({ status: 200, connection: 'close' });
    gw.signal('SIGTERM');
    expect(await gw.exited).to.deep.equal({ code: 1, signal: null });
  });
});
