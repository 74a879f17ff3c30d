import { expect } from 'chai';
import request from 'supertest';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';

/** src/guard/identity-headers.ts: what the upstream receives about the caller. */
describe('guard: identity headers', () => {
  let server: TestServer | undefined;
  afterEach(() => server?.close());

  async function echoIdentity(guard: Parameters<typeof startTestServer>[0]['guard']) {
    server = await startTestServer({ guard });
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials', scope: 'echo:read' })).body.access_token;
    const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('X-Portcullis-Roles', 'admin').set('X-Portcullis-Extra', 'spoofed');
    expect(res.status).to.equal(200);
    return { identity: res.body.identity as Record<string, string>, clientId };
  }

  it('sends all six by default, and nothing the caller sent under the prefix', async () => {
    const { identity, clientId } = await echoIdentity({});
    expect(identity).to.deep.equal({
      'x-portcullis-application': 'echo',
      'x-portcullis-client-id': clientId,
      'x-portcullis-subject': clientId,
      'x-portcullis-roles': 'echo-reader',
      'x-portcullis-permissions': 'echo:read',
      'x-portcullis-scope': 'echo:read',
    });
  });

  it('sends only the chosen ones with identityHeaders, still clearing the prefix', async () => {
    const { identity, clientId } = await echoIdentity({ identityHeaders: ['subject', 'permissions'] });
    expect(identity).to.deep.equal({ 'x-portcullis-subject': clientId, 'x-portcullis-permissions': 'echo:read' });
  });

  it('uses another prefix with headerPrefix and removes the caller\'s headers under it', async () => {
    server = await startTestServer({ guard: { headerPrefix: 'X-Caller-', identityHeaders: ['client-id'] } });
    const { clientId, clientSecret } = await createServiceClient(server);
    const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
    const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('X-Caller-Client-Id', 'someone-else');
    expect(res.status).to.equal(200);
    expect(res.body.identity).to.deep.equal({});
    expect(res.body.headers['x-caller-client-id']).to.equal(clientId);
    expect(res.body.authorization).to.equal(`Bearer ${token}`);
  });
});
