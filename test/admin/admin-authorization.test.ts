import { expect } from 'chai';
import { ADMIN_ACTIONS, adminRoleOf, authorize, Forbidden, isSuperAdmin, may, type AdminAction } from '../../src/admin/admin-authorization';
import type { AdminRole } from '../../src/users/user';

/**
 * src/admin/admin-authorization.ts: every role against every action, written out here by hand
 * (not derived from the module), so a changed rule fails this table.
 */
const TABLE: Record<AdminAction, { none: boolean; admin: boolean; 'super-admin': boolean }> = {
  'use-admin-area': { none: false, admin: true, 'super-admin': true },
  'manage-apps': { none: false, admin: true, 'super-admin': true },
  'manage-users': { none: false, admin: true, 'super-admin': true },
  'give-client-admin-role': { none: false, admin: false, 'super-admin': true },
  'change-client-admin-role': { none: false, admin: false, 'super-admin': true },
  'change-super-admin-client': { none: false, admin: false, 'super-admin': true },
  'create-admin': { none: false, admin: false, 'super-admin': true },
  'change-admin-role': { none: false, admin: false, 'super-admin': true },
  'change-super-admin': { none: false, admin: false, 'super-admin': true },
  'rotate-signing-keys': { none: false, admin: false, 'super-admin': true },
  'manage-roles': { none: false, admin: true, 'super-admin': true },
};

/** What an admin is refused with, word for word: the pages and the API show it. */
const REFUSALS: Partial<Record<AdminAction, string>> = {
  'give-client-admin-role': 'only a super admin can give a client an admin role',
  'change-client-admin-role': "only a super admin can change a client's admin role",
  'change-super-admin-client': 'only a super admin can change a super-admin client',
  'create-admin': 'only a super admin can create an admin',
  'change-admin-role': 'only a super admin can make or unmake admins',
  'change-super-admin': 'only a super admin can change a super admin',
  'rotate-signing-keys': 'only a super admin can rotate signing keys',
};

const ROLES: Array<{ label: 'none' | AdminRole; role: AdminRole | undefined }> = [
  { label: 'none', role: undefined },
  { label: 'admin', role: 'admin' },
  { label: 'super-admin', role: 'super-admin' },
];

describe('admin authorization: who may do what', () => {
  it('the table covers every action the module knows, and no other', () => {
    expect([...ADMIN_ACTIONS].sort()).to.deep.equal(Object.keys(TABLE).sort());
  });

  for (const action of Object.keys(TABLE) as AdminAction[]) {
    for (const { label, role } of ROLES) {
      const allowed = TABLE[action][label];
      it(`${label} ${allowed ? 'may' : 'may not'} ${action}`, () => {
        expect(may(role, action)).to.equal(allowed);
        if (role === undefined) return;
        const actor = { adminRole: role };
        if (allowed) {
          expect(() => authorize(actor, action)).to.not.throw();
          return;
        }
        let thrown: unknown;
        try {
          authorize(actor, action);
        } catch (err) {
          thrown = err;
        }
        expect(thrown).to.be.instanceOf(Forbidden);
        expect((thrown as Forbidden).code).to.equal('forbidden');
        expect((thrown as Forbidden).message).to.equal(REFUSALS[action]);
      });
    }
  }

  it('an unknown role, null or an empty string may do nothing', () => {
    for (const role of ['owner', '', null, 'Super-Admin'] as unknown as AdminRole[]) {
      for (const action of ADMIN_ACTIONS) expect(may(role, action), `${String(role)} ${action}`).to.equal(false);
    }
  });

  it('adminRoleOf: the role of an admin or super admin, nothing for anyone else', () => {
    expect(adminRoleOf({ adminRole: 'admin' })).to.equal('admin');
    expect(adminRoleOf({ adminRole: 'super-admin' })).to.equal('super-admin');
    expect(adminRoleOf({})).to.equal(undefined);
    expect(adminRoleOf({ adminRole: 'owner' as AdminRole })).to.equal(undefined);
  });

  it('isSuperAdmin: only the super-admin role', () => {
    expect(isSuperAdmin({ adminRole: 'super-admin' })).to.equal(true);
    expect(isSuperAdmin({ adminRole: 'admin' })).to.equal(false);
    expect(isSuperAdmin({})).to.equal(false);
  });
});
