import { expect } from 'chai';
import request from 'supertest';
import { expectInvalidToken } from '../helpers/bearer-expect';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * The guard with `apiKey: required`: the request must carry the current API key of the client the
 * access token was issued to; each way of getting it wrong has its own 401 description, and a key
 * alone never authorizes. The key never reaches the upstream.
 */
describe('guard: apiKey required', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ guard: { apiKey: 'required' } });
  });
  after(() => server.close());

  async function clientWithKey(roles = ['echo-reader']) {
    const { clientId, clientSecret } = await createServiceClient(server, 'echo', roles);
    const { apiKey } = await server.portcullis.apiKeys.issue(clientId);
    const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
    expect(res.status, res.text).to.equal(200);
    return { clientId, apiKey, token: res.body.access_token as string };
  }

  const call = (token: string | undefined, apiKey?: string, header = 'X-API-Key') => {
    let req = request(server.app).get('/echo/items');
    if (token !== undefined) req = req.set('Authorization', `Bearer ${token}`);
    return apiKey === undefined ? req : req.set(header, apiKey);
  };

  it('lets a token through with its own client\'s key, and does not forward the key', async () => {
    const { token, apiKey } = await clientWithKey();
    const res = await call(token, apiKey);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.headers).to.not.have.property('x-api-key');
    expect(JSON.stringify(res.body.headers)).to.not.include(apiKey);
  });

  it('refuses a token without a key: missing', async () => {
    const { token } = await clientWithKey();
    const res = await call(token);
    expectInvalidToken(res, /requires the client's API key in the x-api-key header/);
  });

  it('refuses an unknown key', async () => {
    const { token } = await clientWithKey();
    expectInvalidToken(await call(token, 'pck_not-a-key-anyone-was-given'), /API key in the x-api-key header is unknown/);
  });

  it("refuses another client's key", async () => {
    const a = await clientWithKey();
    const b = await clientWithKey();
    expectInvalidToken(await call(a.token, b.apiKey), /belongs to another client than the access token/);
  });

  it('refuses a revoked key', async () => {
    const { clientId, token, apiKey } = await clientWithKey();
    expect((await call(token, apiKey)).status).to.equal(200);
    expect(await server.portcullis.apiKeys.revoke(clientId)).to.equal(true);
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expectInvalidToken(await call(token, apiKey), /was revoked or replaced/);
  });

  it('refuses the old key after a rotation and takes the new one', async () => {
    const { clientId, token, apiKey: old } = await clientWithKey();
    expect((await call(token, old)).status).to.equal(200);
    const { apiKey: rotated } = await server.portcullis.apiKeys.issue(clientId);
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expectInvalidToken(await call(token, old), /was revoked or replaced/);
    expect((await call(token, rotated)).status).to.equal(200);
  });

  it('never authorizes on a key alone: the right key without a token is a missing token', async () => {
    const { apiKey } = await clientWithKey();
    const res = await call(undefined, apiKey);
    expect(res.status).to.equal(401);
    expect(res.body.error).to.equal('unauthorized');
    expect(res.headers['www-authenticate']).to.equal('Bearer realm="portcullis"');
  });

  it('does not take the key as the bearer token', async () => {
    const { apiKey } = await clientWithKey();
    expectInvalidToken(await call(apiKey, apiKey), /malformed/);
  });

  it('refuses two key headers (which one would count?)', async () => {
    const { token, apiKey } = await clientWithKey();
    const res = await request(server.app).get('/echo/items').set('Authorization', `Bearer ${token}`).set('X-API-Key', [apiKey, apiKey] as unknown as string); // superagent sends an array as two header lines
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error).to.equal('invalid_request');
  });

  it('still refuses the token first: a wrong-audience token with its right key names the token', async () => {
    const { clientId, clientSecret } = await createServiceClient(server, 'billing', ['billing-reader']);
    const { apiKey } = await server.portcullis.apiKeys.issue(clientId);
    const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
    expectInvalidToken(await call(res.body.access_token, apiKey), /another application/);
  });
});

describe('guard: apiKeyHeader and apiKey off', () => {
  it('reads the key from the configured header and removes it in any spelling', async () => {
    const server = await startTestServer({ guard: { apiKey: 'required', apiKeyHeader: 'X-Client-Key' } });
    try {
      const { clientId, clientSecret } = await createServiceClient(server);
      const { apiKey } = await server.portcullis.apiKeys.issue(clientId);
      const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials')).body.access_token;
      const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('X-Client-Key', apiKey).set('X_Client_Key', 'smuggled');
      expect(res.status, res.text).to.equal(200);
      expect(Object.keys(res.body.headers).filter((h) => /client.key/.test(h))).to.deep.equal([]);
      expectInvalidToken(await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('X-API-Key', apiKey), /in the x-client-key header/);
    } finally {
      await server.close();
    }
  });

  it('refuses a header that cannot carry the key', async () => {
    const server = await startTestServer();
    try {
      expect(() => server.portcullis.guard({ application: 'echo', apiKey: 'required', apiKeyHeader: 'Authorization' })).to.throw(/apiKeyHeader "Authorization" cannot carry the API key/);
      expect(() => server.portcullis.guard({ application: 'echo', apiKey: 'required', apiKeyHeader: 'X-Portcullis-Key' })).to.throw(/cannot carry/);
    } finally {
      await server.close();
    }
  });

  it('with apiKey off (the default), asks for no key and leaves the header to the upstream', async () => {
    const server = await startTestServer();
    try {
      const { clientId, clientSecret } = await createServiceClient(server);
      const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials')).body.access_token;
      expect((await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('X-API-Key', 'the upstream\'s own');
      expect(res.body.headers['x-api-key']).to.equal("the upstream's own");
    } finally {
      await server.close();
    }
  });
});

describe('guard: debugHeader', () => {
  it('says why on refusals when on, and not at all when off', async () => {
    const debug = await startTestServer({ guard: { debugHeader: true } });
    const plain = await startTestServer();
    try {
      for (const server of [debug, plain]) {
        const { clientId, clientSecret } = await createServiceClient(server, 'echo', ['echo-reader']);
        const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials')).body.access_token;
        const refused = await request(server.app).post('/echo/x').set('Authorization', `Bearer ${token}`);
        expect(refused.status).to.equal(403);
        const missing = await request(server.app).get('/echo/x');
        const allowed = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`);
        expect(allowed.status).to.equal(200);
        expect(allowed.headers).to.not.have.property('x-portcullis-debug');
        if (server === debug) {
          expect(refused.headers['x-portcullis-debug']).to.equal('reason=insufficient_scope; description="this request needs the echo:write permission"; granted=echo:read');
          expect(missing.headers['x-portcullis-debug']).to.match(/^reason=missing_token; description="/);
        } else {
          expect(refused.headers).to.not.have.property('x-portcullis-debug');
          expect(missing.headers).to.not.have.property('x-portcullis-debug');
        }
      }
    } finally {
      await debug.close();
      await plain.close();
    }
  });
});
