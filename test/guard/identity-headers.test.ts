import { expect } from 'chai';
import request from 'supertest';
import { headerPrefixProblem } from '../../src/guard/identity-headers';
import { DEFAULT_REMOVE_HEADERS } from '../../src/guard/removed-headers';
import guardSchema from '../../src/config/guard-params.schema.json';
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

  describe('removeHeaders: identity headers of other products never reach the upstream', () => {
    /** Identity headers that Kong, oauth2-proxy, Apache/CGI, AWS, Azure, Google IAP, Cloudflare... set. */
    const FOREIGN: Record<string, string> = {
      'X-User-Id': 'admin',
      'X-User-Roles': 'admin',
      'X-User': 'admin',
      'X-User-Email': 'a@example.com',
      'X-Forwarded-User': 'admin',
      'X-Forwarded-Email': 'a@example.com',
      'X-Forwarded-Groups': 'admins',
      'X-Forwarded-Preferred-Username': 'admin',
      'X-Auth-Request-User': 'admin',
      'X-Authenticated-Userid': 'admin',
      'X-Authenticated-Scope': 'all',
      'X-Remote-User': 'admin',
      'Remote-User': 'admin',
      'X-Consumer-Id': 'c-1',
      'X-Consumer-Custom-Id': 'admin',
      'X-Consumer-Username': 'admin',
      'X-Credential-Identifier': 'key-1',
      'X-Amzn-Oidc-Identity': 'admin',
      'X-Amzn-Oidc-Data': 'eyJ',
      'X-MS-CLIENT-PRINCIPAL': 'eyJ',
      'X-MS-CLIENT-PRINCIPAL-NAME': 'admin',
      'X-Goog-Authenticated-User-Email': 'accounts.google.com:a@example.com',
      'Cf-Access-Authenticated-User-Email': 'a@example.com',
      'X-Forwarded-Client-Cert': 'Hash=1;Subject="CN=admin"',
    };
    /** Headers proxies need: never removed by default. */
    const KEPT = { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'api.example.com' };

    async function upstreamHeaders(guard: Parameters<typeof startTestServer>[0]['guard'], headers: Record<string, string>) {
      server = await startTestServer({ guard });
      const { clientId, clientSecret } = await createServiceClient(server);
      const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
      const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set(headers);
      expect(res.status, res.text).to.equal(200);
      return res.body.headers as Record<string, string>;
    }

    it('by default the upstream sees none of the common identity headers, and still X-Forwarded-For/-Proto/-Host', async () => {
      const seen = await upstreamHeaders({}, { ...FOREIGN, ...KEPT, 'X-Request-Id': 'trace-1' });
      for (const name of Object.keys(FOREIGN)) expect(seen, name).to.not.have.property(name.toLowerCase());
      for (const [name, value] of Object.entries(KEPT)) expect(seen[name.toLowerCase()], name).to.equal(value);
      expect(seen['x-portcullis-application']).to.equal('echo');
      // X-Request-Id is not removed but replaced: the upstream gets the gateway's id (see rfc7239-trusted-proxies).
      expect(seen['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
    });

    it('underscore spellings that CGI-style backends read as the same header are removed too (X_User_Id, X_Portcullis_Roles)', async () => {
      const seen = await upstreamHeaders({}, { X_User_Id: 'admin', X_Forwarded_User: 'admin', X_Portcullis_Roles: 'admin', X_Consumer_Id: 'c' });
      for (const name of ['x_user_id', 'x_forwarded_user', 'x_portcullis_roles', 'x_consumer_id']) expect(seen, name).to.not.have.property(name);
      expect(seen['x-portcullis-roles']).to.equal('echo-reader');
    });

    it('a custom list replaces the default: only its headers (exact names and `*` prefixes) are removed', async () => {
      const seen = await upstreamHeaders({ removeHeaders: ['X-Tenant-User', 'x-acme-*'] }, { 'X-Tenant-User': 'admin', 'X-Acme-Role': 'admin', 'X-ACME-Group': 'g', 'X-User-Id': 'kept' });
      expect(seen).to.not.have.property('x-tenant-user');
      expect(seen).to.not.have.property('x-acme-role');
      expect(seen).to.not.have.property('x-acme-group');
      expect(seen['x-user-id'], 'not in the custom list').to.equal('kept');
    });

    it('an empty list removes nothing but the prefix headers', async () => {
      const seen = await upstreamHeaders({ removeHeaders: [] }, { 'X-User-Id': 'kept', 'X-Portcullis-Roles': 'admin' });
      expect(seen['x-user-id']).to.equal('kept');
      expect(seen['x-portcullis-roles']).to.equal('echo-reader');
    });

    it('the policy schema\'s default is the documented DEFAULT_REMOVE_HEADERS, without X-Forwarded-For/-Proto/-Host', () => {
      expect(guardSchema.properties.removeHeaders.default).to.deep.equal(DEFAULT_REMOVE_HEADERS);
      const removed = (name: string) => DEFAULT_REMOVE_HEADERS.some((n) => (n.endsWith('*') ? name.startsWith(n.slice(0, -1)) : n === name));
      for (const name of ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded', 'authorization', 'x-request-id']) {
        expect(removed(name), name).to.equal(false);
      }
    });
  });

  describe('the issuer\'s own cookies never reach the upstream', () => {
    async function upstreamCookie(cookie: string) {
      server = await startTestServer();
      const { clientId, clientSecret } = await createServiceClient(server);
      const token = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
      const res = await request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`).set('Cookie', cookie);
      expect(res.status, res.text).to.equal(200);
      return res.body.headers.cookie as string | undefined;
    }

    it('the session and CSRF cookies are removed; the API\'s own cookies pass', async () => {
      expect(await upstreamCookie('portcullis_session=s3cret; theme=dark; portcullis_csrf=c; lang=en')).to.equal('theme=dark; lang=en');
    });

    it('a Cookie header with only the issuer\'s cookies is removed', async () => {
      expect(await upstreamCookie('portcullis_session=s3cret')).to.equal(undefined);
    });

    it('a cookie whose name only contains the session cookie\'s name passes', async () => {
      expect(await upstreamCookie('my_portcullis_session=1')).to.equal('my_portcullis_session=1');
    });
  });

  it('headerPrefix: a prefix that would remove headers proxies and HTTP rely on is refused where a guard is made', async () => {
    for (const prefix of ['x-', 'X-Forwarded-', 'content-', 'sec-', 'x-request-', 'x', 'x-portcullis']) {
      expect(headerPrefixProblem(prefix), prefix).to.be.a('string');
    }
    for (const prefix of ['x-portcullis-', 'X-Caller-', 'x-acme-identity-']) expect(headerPrefixProblem(prefix), prefix).to.equal(undefined);
    server = await startTestServer();
    expect(() => server!.portcullis.guard({ application: 'echo', headerPrefix: 'x-forwarded-' })).to.throw(/headerPrefix "x-forwarded-" would remove the x-forwarded-\* headers/);
  });
});
