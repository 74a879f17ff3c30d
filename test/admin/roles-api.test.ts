import { expect } from 'chai';
import request from 'supertest';
import { API, automationClient, makeUser, type AutomationClient } from '../helpers/admin-session';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * Issue 11 over the admin REST API: YAML roles are read-only with a clear error, a held role is
 * not deleted (the answer names the holders) unless remove_from_holders=true, a rename follows the
 * holders, only declared permissions are accepted, and every change is in the audit log.
 */
describe('admin API: roles (/admin/api/v1/applications/{application}/roles)', () => {
  let server: TestServer;
  let bot: AutomationClient;
  let n = 0;

  before(async () => {
    server = await startTestServer();
    bot = await automationClient(server, 'admin');
  });
  after(() => server?.close());

  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: object) => {
    const test = request(server.app)[method](`${API}${path}`).set('Authorization', `Bearer ${bot.token}`);
    return body ? test.send(body) : test;
  };
  const fresh = () => `role-${++n}-${Date.now()}`;

  it('a YAML role cannot be edited or deleted: 409 conflict saying where it is changed', async () => {
    for (const res of [await api('patch', '/applications/echo/roles/echo-reader', { description: 'mine' }), await api('delete', '/applications/echo/roles/echo-reader')]) {
      expect(res.status, res.text).to.equal(409);
      expect(res.body.error).to.equal('conflict');
      expect(res.body.error_description).to.equal('role "echo-reader" comes from the settings (YAML) and is read-only here: ops change it in applications.echo.roles');
    }
    const clash = await api('post', '/applications/echo/roles', { name: 'echo-writer', permissions: ['echo:read'] });
    expect(clash.status).to.equal(409);
    expect(clash.body.error_description).to.match(/declared in the settings \(YAML\) of echo/);
  });

  it('only declared permissions, valid names and known applications', async () => {
    const undeclared = await api('post', '/applications/echo/roles', { name: fresh(), permissions: ['billing:read'] });
    expect(undeclared.status).to.equal(422);
    expect(undeclared.body).to.include({ error: 'invalid_field', field: 'permissions' });
    expect(undeclared.body.error_description).to.contain('declared: echo:read, echo:write');
    expect((await api('post', '/applications/echo/roles', { name: 'no spaces allowed', permissions: [] })).body).to.include({ field: 'name' });
    expect((await api('post', '/applications/echo/roles', { name: fresh() })).body).to.include({ field: 'permissions' });
    expect((await api('get', '/applications/nowhere/roles')).status).to.equal(404);
    expect((await api('get', '/applications/echo/roles/nobody')).status).to.equal(404);
  });

  it('a held role is refused with its holders; remove_from_holders=true takes it from them; each step audited', async () => {
    const role = fresh();
    expect((await api('post', '/applications/echo/roles', { name: role, permissions: ['echo:read'] })).status).to.equal(201);
    const { client } = await server.portcullis.clients.create({ name: 'holder bot', application: 'echo', type: 'service', roles: [role, 'echo-reader'] });
    const user = await makeUser(server, { username: `holder${n}`, roles: { echo: [role], billing: ['billing-reader'] } });

    const shown = await api('get', `/applications/echo/roles/${role}`);
    expect(shown.body.holders).to.deep.equal({ clients: [{ client_id: client.clientId, name: 'holder bot' }], users: [{ id: user.userId, username: `holder${n}` }] });

    const refused = await api('delete', `/applications/echo/roles/${role}`);
    expect(refused.status).to.equal(409);
    expect(refused.body.error_description).to.equal(`role "${role}" is held by 1 client (holder bot) and 1 user (holder${n}): take it from them first, or delete it with remove_from_holders`);
    expect((await api('delete', `/applications/echo/roles/${role}?remove_from_holders=maybe`)).body).to.include({ field: 'remove_from_holders' });
    expect((await server.portcullis.clients.get(client.clientId)).roles, 'nothing taken on refusal').to.include(role);

    expect((await api('delete', `/applications/echo/roles/${role}?remove_from_holders=true`)).status).to.equal(200);
    expect((await server.portcullis.clients.get(client.clientId)).roles).to.deep.equal(['echo-reader']);
    expect((await server.portcullis.users.get(user.userId)).roles).to.deep.equal({ billing: ['billing-reader'] });
    expect((await api('get', `/applications/echo/roles/${role}`)).status).to.equal(404);

    const audit = await api('get', `/audit?role=echo/${role}`);
    expect(audit.body.map((e: { action: string }) => e.action)).to.deep.equal(['role.delete', 'role.create']);
    expect(audit.body[0].changed).to.deep.equal([`removed from 1 client (holder bot) and 1 user (holder${n})`]);
    expect(audit.body[0].actor.id).to.equal(bot.clientId);
  });

  it('a rename follows the holders and is audited with the old name', async () => {
    const role = fresh();
    const renamed = `${role}-renamed`;
    await api('post', '/applications/echo/roles', { name: role, permissions: ['echo:read'] });
    const user = await makeUser(server, { roles: { echo: [role, 'echo-reader'] } });
    const res = await api('patch', `/applications/echo/roles/${role}`, { name: renamed });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.name).to.equal(renamed);
    expect((await server.portcullis.users.get(user.userId)).roles.echo).to.have.members([renamed, 'echo-reader']);
    const taken = await api('patch', `/applications/echo/roles/${renamed}`, { name: 'echo-reader' });
    expect(taken.status).to.equal(409);
    const audit = await api('get', `/audit?role=echo/${renamed}`);
    expect(audit.body[0]).to.deep.include({ action: 'role.update', changed: [`name (was ${role})`] });
  });
});
