import { expect } from 'chai';
import request from 'supertest';
import { createServiceClient, startTestServer, testSettings, TEST_APPLICATIONS, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 3986 §6.2.2.1 says a path is case-sensitive, but many upstreams do not read it so: Express
 * (its default router), ASP.NET Core and IIS route `/echo/ADMIN/x` as `/echo/admin/x`, and Express
 * routes `/echo/reports/` as `/echo/reports`. A route rule was chosen by the path as sent, so a
 * writer reached what an admin rule protects by changing the letter case or adding a slash. Now
 * the caller must hold the permission of every reading's rule: 403 insufficient_scope naming the
 * one missing.
 */
const ROUTES = [
  { methods: ['DELETE'], path: '/echo/admin/**', permission: 'echo:admin' },
  { methods: ['DELETE'], path: '/echo/reports', permission: 'echo:admin' },
  { methods: ['GET', 'HEAD'], path: '/echo/**', permission: 'echo:read' },
  { methods: ['POST', 'DELETE'], path: '/echo/**', permission: 'echo:write' },
];

eachStore('RFC 3986 §6.2.2.1: a route rule holds for every reading of the path an upstream may use', (backend) => {
  let server: TestServer;
  let writer: string;
  let admin: string;

  const tokenOf = async (roles: string[]) => {
    const { clientId, clientSecret } = await createServiceClient(server, 'echo', roles);
    const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
    expect(res.status, res.text).to.equal(200);
    return res.body.access_token as string;
  };
  const call = (method: 'get' | 'delete', path: string, token?: string) => {
    const req = request(server.app)[method](path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  before(async () => {
    const echo = { ...TEST_APPLICATIONS.echo, roles: { 'echo-reader': ['echo:read'], 'echo-writer': ['echo:read', 'echo:write'], 'echo-admin': ['echo:admin'] }, routes: ROUTES };
    server = await startTestServer({ store: backend, settings: testSettings({ applications: { ...TEST_APPLICATIONS, echo } }) });
    writer = await tokenOf(['echo-writer']);
    admin = await tokenOf(['echo-admin']);
  });
  after(() => server.close());

  for (const path of ['/echo/ADMIN/users', '/echo/Admin/users', '/echo/reports/', '/echo/REPORTS', '/echo/Reports/']) {
    it(`DELETE ${path} with a writer's token -> 403 insufficient_scope, scope echo:admin (the upstream may read it as the admin rule's path)`, async () => {
      const res = await call('delete', path, writer);
      expect(res.status, res.text).to.equal(403);
      expect(res.body).to.include({ error: 'insufficient_scope', scope: 'echo:admin' });
      expect(res.headers['www-authenticate']).to.match(/error="insufficient_scope", error_description="this request needs the echo:admin permission", scope="echo:admin"$/);
    });
  }

  it('an admin (echo:admin, not echo:write) on those paths needs echo:write too, which the path as sent asks for', async () => {
    const res = await call('delete', '/echo/ADMIN/users', admin);
    expect(res.status, res.text).to.equal(403);
    expect(res.body.scope).to.equal('echo:write');
  });

  it('controls: the admin paths as written need only echo:admin; other paths in any case or with a trailing slash need only their rule', async () => {
    const refused = await call('delete', '/echo/admin/users', writer);
    expect(refused.status, refused.text).to.equal(403);
    expect(refused.body.scope).to.equal('echo:admin');
    expect((await call('delete', '/echo/admin/users', admin)).status).to.equal(200);
    for (const path of ['/echo/other', '/echo/other/', '/echo/Other', '/echo/reportsx']) {
      expect((await call('delete', path, writer)).status, path).to.equal(200);
    }
    for (const path of ['/echo/ADMIN/users', '/echo/reports/', '/echo/x/']) {
      expect((await call('get', path, writer)).status, `GET ${path}`).to.equal(200);
    }
    expect((await call('delete', '/echo/ADMIN/users')).status, 'no token').to.equal(401);
  });
});
