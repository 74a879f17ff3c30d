import { expect } from 'chai';
import express from 'express';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { TokenIdentity, type VerifiedIdentity } from '../../src/guard/verified-identity';
import { testSettings } from '../helpers/test-portcullis';

/**
 * Issue 12: the guard keeps nothing per token for identities: one shared part per caller, scope
 * and roles, and per request an identity with the token's own claims.
 */
describe('guard: identities shared by the tokens of one caller (src/guard/own-token-check.ts)', () => {
  let portcullis: Portcullis;
  let app: express.Express;
  let seen: VerifiedIdentity[];
  const now = { ms: Date.now() };

  beforeEach(async () => {
    now.ms = Date.now();
    portcullis = await Portcullis.open(testSettings(), { now: () => now.ms, logger: createLogger('error', () => undefined) });
    seen = [];
    app = express();
    app.use('/echo', portcullis.guard({ application: 'echo' }).middleware());
    app.get('/echo/*', (req, res) => {
      seen.push((req as express.Request & { portcullis: VerifiedIdentity }).portcullis);
      res.json(Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-portcullis-'))));
    });
  });
  afterEach(() => portcullis.close());

  const clientToken = async (clientId: string) => (await portcullis.tokens.issue({ clientId, subject: clientId, audience: 'urn:portcullis:application:echo', roles: ['echo-reader'] })).token;
  const get = (token: string) => request(app).get('/echo/x').set('authorization', `Bearer ${token}`);

  it('each request sees its own token claims; the tokens of one client share the rest', async () => {
    const { client } = await portcullis.clients.create({ name: 'shared', application: 'echo', roles: ['echo-reader'] });
    const tokens = [await clientToken(client.clientId), await clientToken(client.clientId)];
    for (const token of [...tokens, ...tokens]) {
      const res = await get(token);
      expect(res.status).to.equal(200);
      expect(res.body['x-portcullis-client-id']).to.equal(client.clientId);
      expect(res.body['x-portcullis-permissions']).to.equal('echo:read');
    }
    expect(seen.map((i) => i.claims.jti)).to.deep.equal([...tokens, ...tokens].map((t) => decodeJwt(t).jti));
    expect(seen.map((i) => i.claims)).to.deep.equal([...tokens, ...tokens].map((t) => decodeJwt(t)));
    expect(new Set(seen.map((i) => TokenIdentity.sharedPart(i))).size, 'one shared part').to.equal(1);
    expect(seen[0].permissions).to.equal(seen[1].permissions);
    expect({ ...seen[0], claims: undefined }).to.deep.equal({ application: 'echo', clientId: client.clientId, subject: client.clientId, roles: ['echo-reader'], permissions: new Set(['echo:read']), scope: undefined, claims: undefined });
  });

  it('another client gets a shared part of its own', async () => {
    const a = (await portcullis.clients.create({ name: 'a', application: 'echo', roles: ['echo-reader'] })).client.clientId;
    const b = (await portcullis.clients.create({ name: 'b', application: 'echo', roles: ['echo-reader'] })).client.clientId;
    expect((await get(await clientToken(a))).body['x-portcullis-client-id']).to.equal(a);
    expect((await get(await clientToken(b))).body['x-portcullis-client-id']).to.equal(b);
    expect(TokenIdentity.sharedPart(seen[0])).to.not.equal(TokenIdentity.sharedPart(seen[1]));
  });

  it('a revoked token is refused although its verification is cached, and its sibling still passes', async () => {
    const { client } = await portcullis.clients.create({ name: 'revoked', application: 'echo', roles: ['echo-reader'] });
    const [kept, revoked] = [await clientToken(client.clientId), await clientToken(client.clientId)];
    expect((await get(kept)).status).to.equal(200);
    expect((await get(revoked)).status).to.equal(200);
    const { jti, exp } = decodeJwt(revoked);
    await portcullis.revocations.revoke(jti!, exp!);
    const refused = await get(revoked);
    expect(refused.status).to.equal(401);
    expect(refused.headers['www-authenticate']).to.match(/invalid_token/);
    expect((await get(kept)).status).to.equal(200);
  });
});
