import { expect } from 'chai';
import request from 'supertest';
import type { Actor } from '../../src/admin/admin-authorization';
import { ConflictError } from '../../src/errors/domain-errors';
import { API, apiSession, automationClient, makeUser, signInAt, type AdminUser } from '../helpers/admin-session';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * src/admin/admin-service.ts keepOneSuperAdmin: nobody, not even a super admin, may demote or
 * disable the last active super admin (no one could manage admins after). A disabled super admin
 * does not count, a super-admin client does not count (it is not a person who signs in), and a
 * second active super admin lifts the rule. There is no delete operation on users.
 */

const CLI: Actor = { type: 'cli', id: 'ops', name: 'cli:ops', adminRole: 'super-admin', from: 'cli' };
const actorOf = (user: AdminUser): Actor => ({ type: 'user', id: user.userId, name: user.username, adminRole: user.adminRole!, from: '127.0.0.1' });

async function refusedWith(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error('the change was allowed');
}

describe('the last active super admin', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  describe('in the admin service', () => {
    it('cannot be demoted (to admin or to no role) or disabled, by the CLI or by themself; nothing changes', async () => {
      const only = await makeUser(server, { adminRole: 'super-admin' });
      for (const actor of [CLI, actorOf(only)]) {
        for (const changes of [{ adminRole: 'admin' as const }, { adminRole: null }, { status: 'disabled' as const }, { adminRole: null, status: 'disabled' as const }]) {
          const err = await refusedWith(() => server.portcullis.admin.updateUser(actor, only.userId, changes));
          expect(err, JSON.stringify(changes)).to.be.instanceOf(ConflictError);
          expect((err as ConflictError).message).to.match(/last active super admin/);
        }
      }
      expect(await server.portcullis.users.get(only.userId)).to.include({ adminRole: 'super-admin', status: 'active' });
      expect(await server.portcullis.admin.auditLog(10)).to.deep.equal([]);
    });

    it('may still be edited otherwise (name, password), and re-saved as super admin', async () => {
      const only = await makeUser(server, { adminRole: 'super-admin' });
      const after = await server.portcullis.admin.updateUser(CLI, only.userId, { name: 'Only One', adminRole: 'super-admin', password: 'another long password' });
      expect(after).to.include({ name: 'Only One', adminRole: 'super-admin', status: 'active' });
    });

    it('a disabled super admin and a super-admin client do not count as another super admin', async () => {
      const only = await makeUser(server, { adminRole: 'super-admin' });
      const disabled = await makeUser(server, { adminRole: 'super-admin' });
      await server.portcullis.users.update(disabled.userId, { status: 'disabled' });
      await automationClient(server, 'super-admin');
      expect(await refusedWith(() => server.portcullis.admin.updateUser(CLI, only.userId, { adminRole: 'admin' }))).to.be.instanceOf(ConflictError);
      expect(await refusedWith(() => server.portcullis.admin.updateUser(CLI, only.userId, { status: 'disabled' }))).to.be.instanceOf(ConflictError);
    });

    it('with a second active super admin, one of them may be demoted, and then the other is the last', async () => {
      const first = await makeUser(server, { adminRole: 'super-admin' });
      const second = await makeUser(server, { adminRole: 'super-admin' });
      expect(await server.portcullis.admin.updateUser(actorOf(first), second.userId, { adminRole: 'admin' })).to.include({ adminRole: 'admin' });
      expect(await refusedWith(() => server.portcullis.admin.updateUser(CLI, first.userId, { status: 'disabled' }))).to.be.instanceOf(ConflictError);
      // Re-enabling the other as super admin lifts the rule again: the first may now be disabled.
      await server.portcullis.admin.updateUser(actorOf(first), second.userId, { adminRole: 'super-admin' });
      expect(await server.portcullis.admin.updateUser(CLI, first.userId, { status: 'disabled' })).to.include({ status: 'disabled' });
    });

    it('a disabled super admin is not the last active one: enabling or demoting them is no conflict', async () => {
      const active = await makeUser(server, { adminRole: 'super-admin' });
      const asleep = await makeUser(server, { adminRole: 'super-admin' });
      await server.portcullis.users.update(asleep.userId, { status: 'disabled' });
      expect(await server.portcullis.admin.updateUser(actorOf(active), asleep.userId, { adminRole: 'admin' })).to.include({ adminRole: 'admin', status: 'disabled' });
    });
  });

  describe('over the admin API', () => {
    it('PATCH /users/{id} demoting or disabling the last active super admin is 409 conflict, by session or by a super-admin bearer token', async () => {
      const only = await makeUser(server, { adminRole: 'super-admin' });
      const own = await apiSession(server, only);
      const bot = await automationClient(server, 'super-admin');
      const callers = [
        () => own.agent.patch(`${API}/users/${only.userId}`).set('X-CSRF-Token', own.csrf),
        () => request(server.app).patch(`${API}/users/${only.userId}`).set('Authorization', `Bearer ${bot.token}`),
      ];
      for (const caller of callers) {
        for (const body of [{ admin_role: 'admin' }, { admin_role: null }, { status: 'disabled' }]) {
          const res = await caller().send(body);
          expect(res.status, res.text).to.equal(409);
          expect(res.body.error).to.equal('conflict');
          expect(res.text).to.match(/last active super admin/);
        }
      }
      expect(await server.portcullis.users.get(only.userId)).to.include({ adminRole: 'super-admin', status: 'active' });
      // Still a super admin who signs in.
      expect((await signInAt(server, only)).res.status).to.equal(303);
    });

    it('an admin is refused first (403): an admin may not touch a super admin at all', async () => {
      const only = await makeUser(server, { adminRole: 'super-admin' });
      const admin = await makeUser(server, { adminRole: 'admin' });
      const session = await apiSession(server, admin);
      for (const body of [{ admin_role: 'admin' }, { status: 'disabled' }]) {
        const res = await session.agent.patch(`${API}/users/${only.userId}`).set('X-CSRF-Token', session.csrf).send(body);
        expect(res.status, res.text).to.equal(403);
        expect(res.body.error).to.equal('forbidden');
      }
      expect(await server.portcullis.users.get(only.userId)).to.include({ adminRole: 'super-admin', status: 'active' });
    });

    it('with a second active super admin, PATCH demotes and disables (200)', async () => {
      const first = await makeUser(server, { adminRole: 'super-admin' });
      const second = await makeUser(server, { adminRole: 'super-admin' });
      const session = await apiSession(server, first);
      const demoted = await session.agent.patch(`${API}/users/${second.userId}`).set('X-CSRF-Token', session.csrf).send({ admin_role: 'admin' });
      expect(demoted.status, demoted.text).to.equal(200);
      expect(demoted.body.admin_role).to.equal('admin');
      const refused = await session.agent.patch(`${API}/users/${first.userId}`).set('X-CSRF-Token', session.csrf).send({ status: 'disabled' });
      expect(refused.status, refused.text).to.equal(409);
      await server.portcullis.users.update(second.userId, { adminRole: 'super-admin' });
      const disabled = await session.agent.patch(`${API}/users/${second.userId}`).set('X-CSRF-Token', session.csrf).send({ status: 'disabled' });
      expect(disabled.status, disabled.text).to.equal(200);
      expect(disabled.body.status).to.equal('disabled');
    });
  });
});
