import { expect } from 'chai';
import { decodeJwt } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { SqliteChangeFeed } from '../../src/store/sqlite-data-version';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';
import { testSettings } from '../helpers/test-portcullis';

const KIND = 'revoked-access-tokens';

/**
 * The guard keeps a token's revocation answer in the token's own entry of the verified-token cache
 * (src/tokens/held-revocations.ts), not in a second cache by `jti`: the same bounds all the same.
 */
describe('guard: revocation answers held in the verified-token cache (src/tokens/revocation-list.ts)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portcullis-held-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A runtime on `file` whose reads of revocations are counted; with a feed when `push`. */
  async function open(file: string, now: { ms: number }, push: boolean) {
    const reads = { n: 0 };
    const sqlite = new SqliteStore({ path: file });
    const counted: Store = Object.assign(Object.create(sqlite) as Store, {
      get: (kind: string, id: string) => (kind === KIND && reads.n++, sqlite.get(kind, id)),
      close: () => sqlite.close(),
    });
    const settings = testSettings({ store: { sqlitePath: file } });
    const portcullis = await Portcullis.open(settings, {
      store: counted,
      changeFeed: push ? new SqliteChangeFeed(file, settings.cacheMs, () => now.ms) : undefined,
      now: () => now.ms,
      logger: createLogger('error', () => undefined),
    });
    const guard = portcullis.guard({ application: 'echo' });
    const req = (token: string) => ({ method: 'GET', url: '/echo/hello', headers: { authorization: `Bearer ${token}` }, rawHeaders: ['Authorization', `Bearer ${token}`] }) as never;
    const status = (token: string) => guard.check(req(token)).then(() => 200, () => 401);
    return { portcullis, reads, guard, req, status };
  }

  async function twoTokens(p: Portcullis) {
    const { client } = await p.clients.create({ name: 'held', application: 'echo', roles: ['echo-reader'] });
    const issue = async () => (await p.tokens.issue({ clientId: client.clientId, subject: client.clientId, audience: 'urn:portcullis:application:echo', roles: ['echo-reader'] })).token;
    return [await issue(), await issue()];
  }

  it('without a feed: a token in use is decided from memory within cacheMs; revoked here, refused at once, and the refusal is held too', async () => {
    const now = { ms: Date.now() };
    const a = await open(path.join(dir, 'poll.db'), now, false);
    try {
      const [kept, revoked] = await twoTokens(a.portcullis);
      expect(await a.status(kept)).to.equal(200);
      expect(await a.status(revoked)).to.equal(200);
      expect(a.reads.n, 'one read per token').to.equal(2);
      expect(a.guard.checkCached(a.req(revoked)), 'decided from memory').to.not.equal(undefined);
      const { jti, exp } = decodeJwt(revoked);
      await a.portcullis.revocations.revoke(jti!, exp!);
      expect(a.guard.checkCached(a.req(revoked)), 'the answer held in the token entry is dropped at once').to.equal(undefined);
      expect(await a.status(revoked), 'refused, the clock unmoved').to.equal(401);
      expect(() => a.guard.checkCached(a.req(revoked)), 'the refusal comes from memory').to.throw('the access token was revoked');
      expect(await a.status(kept), 'the other token of the client passes').to.equal(200);
      expect(a.reads.n, 'one more read, for the revoked token').to.equal(3);
      now.ms += a.portcullis.settings.cacheMs + 1;
      expect(a.guard.checkCached(a.req(kept)), 'past cacheMs: read again').to.equal(undefined);
      expect(await a.status(kept)).to.equal(200);
      expect(a.reads.n).to.equal(4);
    } finally {
      await a.portcullis.close();
    }
  });

  it('a token revoked by another process on the file is refused once cacheMs passes; unchanged tokens keep their answers without reads', async () => {
    const file = path.join(dir, 'push.db');
    new SqliteStore({ path: file }).close(); // the file must exist before a feed watches it
    const nowA = { ms: Date.now() };
    const nowB = { ms: nowA.ms };
    const a = await open(file, nowA, true);
    const b = await open(file, nowB, true);
    try {
      const [kept, revoked] = await twoTokens(a.portcullis);
      // The writes above (the client) are seen at B's next data_version check: let it pass.
      await b.status(kept);
      nowB.ms += b.portcullis.settings.cacheMs + 1;
      expect(await b.status(kept)).to.equal(200);
      expect(await b.status(revoked)).to.equal(200);
      const before = b.reads.n;
      for (let i = 0; i < 3; i++) {
        nowB.ms += b.portcullis.settings.cacheMs + 1;
        expect(await b.status(kept)).to.equal(200);
        expect(await b.status(revoked)).to.equal(200);
      }
      expect(b.reads.n - before, 'nothing was written: answers kept past cacheMs').to.equal(0);
      const { jti, exp } = decodeJwt(revoked);
      await a.portcullis.revocations.revoke(jti!, exp!);
      nowB.ms += b.portcullis.settings.cacheMs;
      expect(await b.status(revoked), 'within cacheMs of the revocation').to.equal(401);
      expect(await b.status(kept)).to.equal(200);
    } finally {
      await a.portcullis.close();
      await b.portcullis.close();
    }
  });
});
