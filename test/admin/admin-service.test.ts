import { expect } from 'chai';
import type { Actor } from '../../src/admin/admin-authorization';
import { obtainTokens, refresh, refusedWithinASecond, startFlowServer } from '../helpers/browser-flow';

const CLI: Actor = { type: 'cli', id: 'ops', name: 'cli:ops', adminRole: 'super-admin', from: 'cli' };

/** src/admin/admin-service.ts: what an admin's password reset does beyond the password. */
describe('admin service: a password set by an admin', () => {
  it('ends the grants of the user: refresh fails, the access token is refused within a second', async () => {
    const { server, web, user } = await startFlowServer();
    try {
      const tokens = await obtainTokens(server, { app: web, user });
      await server.portcullis.admin.updateUser(CLI, user.userId, { password: 'a brand new long password' });
      const res = await refresh(server, web, tokens.refresh_token);
      expect(res.status).to.equal(400);
      expect(res.body.error).to.equal('invalid_grant');
      await refusedWithinASecond(server, tokens.access_token);
      const audit = await server.portcullis.admin.auditLog(1);
      expect(audit[0]).to.include({ action: 'user.update' });
      expect(JSON.stringify(audit)).to.not.contain('a brand new long password');
    } finally {
      await server.close();
    }
  });
});
