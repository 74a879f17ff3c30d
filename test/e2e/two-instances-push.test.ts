// Redis by nature (push invalidation over Redis pub/sub), so not under eachStore.
import { expect } from 'chai';
import { createClient } from 'redis';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { clientWithToken, openPushPair, untilMode, type PushPair } from '../helpers/push-pair';
import { hasRedisServer, startRedisServer, type RedisServer } from '../helpers/redis-server';

/**
 * Two instances on one Redis of this suite's own (so its command counts are this suite's alone and
 * its push connections can be killed): what happens when the push channel goes down and comes
 * back, and what Redis work repeated guarded requests cost with push on and off.
 */
type Admin = ReturnType<typeof createClient>;

/** Calls per command since the server started, from `INFO commandstats`. */
async function commandCalls(admin: Admin): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const match of (await admin.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[match[1]] = Number(match[2]);
  return calls;
}

/** Commands made between two snapshots, without this suite's own INFO and the feeds' heartbeat PINGs. */
function delta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const made: Record<string, number> = {};
  for (const [name, n] of Object.entries(after)) {
    const d = n - (before[name] ?? 0);
    if (d > 0 && name !== 'info' && name !== 'ping') made[name] = d;
  }
  return made;
}

describe('two instances on one Redis: push invalidation (src/store/redis-notifications.ts)', function () {
  let redis: RedisServer;
  let admin: Admin;
  let pair: PushPair;

  before(async function () {
    if (!hasRedisServer()) this.skip();
    redis = await startRedisServer();
    admin = createClient({ url: redis.url });
    await admin.connect();
  });
  after(async () => {
    await admin?.close();
    await redis?.kill();
  });
  afterEach(async () => {
    await admin.configSet('maxclients', '10000');
    await pair?.close();
  });

  async function openPair(overrides: Record<string, unknown> = {}): Promise<PushPair> {
    pair = await openPushPair(redis.url, overrides);
    return pair;
  }

  /**
   * Kills both push connections (CLIENT KILL TYPE pubsub) and keeps them from coming back: new
   * connections are refused (maxclients), the ones the stores and publishers hold stay.
   */
  async function killPushConnections(): Promise<void> {
    const connected = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))![1]);
    await admin.configSet('maxclients', String(connected - 2));
    expect(await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']), 'both subscribers killed').to.equal(2);
    await Promise.all([untilMode(pair.a.portcullis.invalidation, 'polling'), untilMode(pair.b.portcullis.invalidation, 'polling')]);
  }

  async function letPushBack(): Promise<void> {
    await admin.configSet('maxclients', '10000');
    await Promise.all([untilMode(pair.a.portcullis.invalidation, 'push'), untilMode(pair.b.portcullis.invalidation, 'push')]);
  }

  it('push connection killed (CLIENT KILL TYPE pubsub): both instances say polling, and a disabled client is refused once cacheMs passes', async () => {
    const { a, b } = await openPair();
    await Promise.all([untilMode(a.portcullis.invalidation, 'push'), untilMode(b.portcullis.invalidation, 'push')]);
    const { clientId, token } = await clientWithToken(a);
    expect(await b.status(token)).to.equal(200);
    await killPushConnections();
    expect(b.portcullis.invalidation.mode, 'the state says so (portcullis_invalidation_push_up 0)').to.equal('polling');
    expect(await b.status(token), 'the channel was lost: B dropped its answers and read the store again').to.equal(200);
    await a.portcullis.clients.setStatus(clientId, 'disabled');
    expect(await b.status(token), 'no push arrives: B keeps the answer for cacheMs').to.equal(200);
    b.now.ms += b.portcullis.settings.cacheMs + 1;
    expect(await b.status(token), 'polling keeps the 1 s bound').to.equal(401);
    await letPushBack();
  });

  it('on re-subscription every cached answer is dropped: a client disabled while the channel was down is refused without moving the clock', async () => {
    const { a, b } = await openPair();
    await Promise.all([untilMode(a.portcullis.invalidation, 'push'), untilMode(b.portcullis.invalidation, 'push')]);
    const { clientId, token } = await clientWithToken(a);
    await killPushConnections();
    expect(await b.status(token), 'cached while polling').to.equal(200);
    await a.portcullis.clients.setStatus(clientId, 'disabled'); // its message reaches nobody
    expect(await b.status(token)).to.equal(200);
    await letPushBack();
    expect(await b.status(token), 'messages may have been missed: everything cached before was dropped').to.equal(401);
  });

  it('a push connection that stops answering (CLIENT PAUSE) counts as down until its heartbeat is answered again', async () => {
    const { b } = await openPair();
    await untilMode(b.portcullis.invalidation, 'push');
    const modes: string[] = [];
    b.portcullis.invalidation.onModeChange((mode) => modes.push(mode));
    const epoch = b.portcullis.invalidation.epoch();
    // The connection stays open, so only the unanswered heartbeat PING can tell.
    await admin.sendCommand(['CLIENT', 'PAUSE', '1500', 'ALL']);
    await untilMode(b.portcullis.invalidation, 'polling');
    await untilMode(b.portcullis.invalidation, 'push');
    expect(modes).to.deep.equal(['polling', 'push']);
    expect(b.portcullis.invalidation.epoch(), 'what was cached before the silence is dropped').to.equal(epoch + 2);
  });

  it('a change whose announcement fails is reported as failed (503 temporarily_unavailable), not as done', async () => {
    const { a } = await openPair();
    await untilMode(a.portcullis.invalidation, 'push');
    const { clientId } = await clientWithToken(a);
    const clients = await admin.sendCommand(['CLIENT', 'LIST']) as string;
    const publishers = [...clients.matchAll(/^id=(\d+) .*name=portcullis-invalidation-publisher /gm)].map((m) => m[1]);
    expect(publishers, 'one publisher per instance').to.have.length(2);
    const connected = Number(/connected_clients:(\d+)/.exec(await admin.info('clients'))![1]);
    await admin.configSet('maxclients', String(connected - publishers.length));
    for (const id of publishers) await admin.sendCommand(['CLIENT', 'KILL', 'ID', id]);
    let failure: unknown;
    await a.portcullis.clients.setStatus(clientId, 'disabled').catch((err: unknown) => (failure = err));
    expect((failure as Error)?.name, 'the caller is told').to.equal('StoreUnavailableError');
    expect((await a.portcullis.clients.get(clientId)).status, 'the write itself was applied').to.equal('disabled');
  });

  it('repeated guarded requests make no Redis command with push on (INFO commandstats), and read the store every cacheMs with push off', async () => {
    const made = async (overrides: Record<string, unknown>) => {
      const { a, b } = await openPair(overrides);
      if (overrides.invalidation === undefined) await untilMode(b.portcullis.invalidation, 'push');
      const tokens = await Promise.all(Array.from({ length: 20 }, () => clientWithToken(a).then((t) => t.token)));
      for (const token of tokens) expect(await b.status(token)).to.equal(200);
      const before = await commandCalls(admin);
      for (let round = 0; round < 5; round++) {
        b.now.ms += b.portcullis.settings.cacheMs + 1;
        for (const token of tokens) expect(await b.status(token)).to.equal(200);
      }
      const commands = delta(before, await commandCalls(admin));
      await pair.close();
      return commands;
    };
    expect(await made({}), '100 guarded requests over 20 tokens with push on').to.deep.equal({});
    const polling = await made({ invalidation: { push: false } });
    // Per round and token: the revocation and the client status (20 clients), one HMGET each; per
    // round, once, the application's role definitions (the roles admins made, cached like clients).
    expect(polling.hmget, `push off: ${JSON.stringify(polling)}`).to.equal(5 * 20 * 2 + 5);
  });
});

describe('two gateway processes and the CLI on one Redis: the CLI announces its changes', function () {
  this.timeout(60_000);
  let redis: RedisServer;
  let a: GatewayProcess;
  let b: GatewayProcess;
  const prefix = 'push-e2e:';

  before(async function () {
    if (!hasRedisServer()) this.skip();
    redis = await startRedisServer();
    const shared = { PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: redis.url, PORTCULLIS_REDIS_PREFIX: prefix, PORTCULLIS_ISSUER: 'http://issuer.push.test' };
    a = await startGateway(shared);
    b = await startGateway(shared);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await redis?.kill();
  });

  it('`clients disable` in another process publishes the change, and both gateways refuse the token', async () => {
    const created = await a.cli(['clients', 'create', '--name', 'push', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(created.code, created.stderr).to.equal(0);
    const { client_id: id, client_secret: secret } = JSON.parse(created.stdout);
    const res = await fetch(`${a.baseUrl}/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: id, client_secret: secret }),
    });
    const token = ((await res.json()) as { access_token: string }).access_token;
    const echo = (gw: GatewayProcess) => fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect([await echo(a), await echo(b)]).to.deep.equal([200, 200]);

    const listener = createClient({ url: redis.url });
    await listener.connect();
    const messages: string[] = [];
    await listener.subscribe(`${prefix}invalidate`, (message) => messages.push(message));
    try {
      const disabled = await b.cli(['clients', 'disable', id, '--json']);
      expect(disabled.code, disabled.stderr).to.equal(0);
      // The suite's timeout bounds the wait: the message is delivered asynchronously.
      while (!messages.includes(JSON.stringify(['clients', id]))) await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      await listener.close();
    }
    while ((await echo(a)) !== 401 || (await echo(b)) !== 401) await new Promise((resolve) => setImmediate(resolve));
  });
});
