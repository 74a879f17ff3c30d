import { expect } from 'chai';
import { decodeProtectedHeader } from 'jose';
import request from 'supertest';
import { cliActor } from '../../src/cli/with-runtime';
import { KeyRing } from '../../src/keys/key-ring';
import { clientCredentialsToken } from '../helpers/admin-session';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 9068 §4: a resource server validates the signature with a key the issuer publishes. The
 * guard's cache of verified tokens must not outlive that: a cached verification is good only
 * while its key is still published and never past `exp` + leeway. A retirement made by this
 * process, by another node or by the CLI (`portcullis keys rotate`) reaches the guard within the
 * key ring's refresh interval, and then fails tokens already cached too.
 *
 * The guards here tolerate 300 s of clock skew (the most the schema allows), so a token cached
 * just before a rotation is still inside `exp + leeway` when its key leaves the JWKS.
 */

const LEEWAY = 300;

eachStore('RFC 9068 §4: a cached verification does not outlive its signing key', (backend) => {
  let server: TestServer;
  let token: string;

  beforeEach(async () => {
    server = await startTestServer({ store: backend, guard: { leeway: LEEWAY } });
    const { clientId, clientSecret } = await createServiceClient(server);
    token = await clientCredentialsToken(server, clientId, clientSecret);
  });
  afterEach(() => server.close());

  const guard = () => request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);
  const jwksKids = async () => ((await request(server.app).get('/.well-known/jwks.json')).body.keys as Array<{ kid: string }>).map((k) => k.kid);
  const kid = () => decodeProtectedHeader(token).kid as string;
  const publishUntilOf = async (id: string) => (await server.portcullis.keys.describe()).find((k) => k.kid === id)!.publishUntil!;

  it('retired by `portcullis keys rotate` in this process: refused once the key leaves the JWKS, though cached and within exp + leeway', async () => {
    expect((await guard()).status, 'verified and cached').to.equal(200);
    await server.portcullis.admin.rotateSigningKey(cliActor());
    expect((await guard()).status, 'a retired key is still published: its tokens keep working').to.equal(200);

    server.now.ms = (await publishUntilOf(kid())) + 1000;
    expect(await jwksKids()).to.not.include(kid());
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    expect(exp + LEEWAY, 'the token is still inside its leeway').to.be.greaterThan(server.now.ms / 1000);
    expectInvalidToken(await guard(), /^the signing key of this access token is no longer published$/);
    // And it stays refused (the cache entry is gone, a full check fails on the unknown key).
    expectInvalidToken(await guard(), /no longer published|not signed by a key of this issuer/);
  });

  it('retired by another process on the same store (the CLI, another node): refused within the refresh interval', async () => {
    expect((await guard()).status, 'verified and cached').to.equal(200);
    // What `portcullis keys rotate` does from its own process: a key ring of its own on the shared store.
    const cli = new KeyRing(server.portcullis.store, { algorithm: server.portcullis.settings.keys.algorithm, maxTokenLifetime: server.portcullis.settings.tokens.accessTokenTtl, now: () => server.now.ms });
    await cli.init();
    await cli.rotate();
    const publishUntil = (await cli.describe()).find((k) => k.kid === kid())!.publishUntil!;

    server.now.ms = publishUntil + 1000;
    expectInvalidToken(await guard(), /^the signing key of this access token is no longer published$/);
    expect(await jwksKids()).to.not.include(kid());
  });

  it('`portcullis keys rotate --retire-now` (a leaked key) in this process: cached tokens are refused at once', async () => {
    expect((await guard()).status, 'verified and cached').to.equal(200);
    await server.portcullis.admin.rotateSigningKey(cliActor(), undefined, { retireNow: true });
    expect(await jwksKids()).to.not.include(kid());
    expectInvalidToken(await guard(), /^the signing key of this access token is no longer published$/);
  });

  it('`keys rotate --retire-now` from another process: refused on this one once its key set is older than 30 s', async () => {
    expect((await guard()).status, 'verified and cached').to.equal(200);
    const cli = new KeyRing(server.portcullis.store, { algorithm: server.portcullis.settings.keys.algorithm, maxTokenLifetime: server.portcullis.settings.tokens.accessTokenTtl, now: () => server.now.ms });
    await cli.init();
    await cli.rotate(undefined, { retireNow: true });
    // The key ring's refresh interval (src/keys/key-ring.ts): no decision rests on an older key set.
    server.now.ms += 30_001;
    expectInvalidToken(await guard(), /^the signing key of this access token is no longer published$/);
    expect(await jwksKids()).to.not.include(kid());
  });

  it('never past exp + leeway: a cached token is refused as expired', async () => {
    expect((await guard()).status).to.equal(200);
    const exp = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp as number;
    server.now.ms = (exp + LEEWAY) * 1000 - 1000;
    expect((await guard()).status, 'inside the leeway').to.equal(200);
    server.now.ms = (exp + LEEWAY) * 1000 + 1;
    expectInvalidToken(await guard(), /^the access token expired$/);
  });
});
