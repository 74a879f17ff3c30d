import { expect } from 'chai';
import request from 'supertest';
import { createServiceClient, startTestServer } from '../helpers/test-portcullis';

/** When the store is down nothing gets through: the guard and the issuer answer 503, never 200. */
describe('guard: fails closed when the store is down', () => {
  it('refuses a valid token with 503 temporarily_unavailable once its cached checks expire', async () => {
    const server = await startTestServer();
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
    expect((await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`)).status).to.equal(200);

    await server.portcullis.store.close();
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`);
    expect(res.status).to.equal(503);
    expect(res.headers['retry-after']).to.equal('5');
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body.error).to.equal('temporarily_unavailable');
    expect(res.text).to.not.match(/sqlite|closed|stack/i);
  });
});
