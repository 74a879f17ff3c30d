import { expect } from 'chai';
import { grantablePermissions, hasRole, permissionsOf, roleDefinitions, type StoredRoles } from '../../src/applications/permissions';

/** src/applications/permissions.ts: YAML roles + stored roles -> permissions, the one place it is computed. */
describe('roles -> permissions (src/applications/permissions.ts)', () => {
  const app = { roles: { reader: ['inv:read'], writer: ['inv:read', 'inv:write'] }, permissions: ['inv:read', 'inv:write', 'inv:export'] };
  const at = 1_700_000_000_000;
  const stored: StoredRoles = {
    exporter: { description: 'nightly export', permissions: ['inv:export'], createdAt: at, updatedAt: at },
    // Ops withdrew inv:purge since this role was made: it must not grant it.
    janitor: { permissions: ['inv:purge', 'inv:write'], createdAt: at, updatedAt: at },
    // A stored role cannot shadow a YAML role of the same name (made before ops added it to YAML).
    reader: { permissions: ['inv:export'], createdAt: at, updatedAt: at },
  };

  it('grants the union of YAML and stored roles', () => {
    expect([...permissionsOf(app, ['reader', 'exporter'], stored)]).to.have.members(['inv:read', 'inv:export']);
  });

  it('a stored role grants only permissions still declared; a YAML role wins over a stored one of the same name', () => {
    expect([...permissionsOf(app, ['janitor'], stored)]).to.deep.equal(['inv:write']);
    expect([...permissionsOf(app, ['reader'], stored)]).to.deep.equal(['inv:read']);
  });

  it('only own keys are roles: __proto__, constructor and unknown names grant nothing', () => {
    expect([...permissionsOf(app, ['__proto__', 'constructor', 'toString', 'nobody'], stored)]).to.deep.equal([]);
    expect(hasRole(app, 'constructor', stored)).to.equal(false);
    expect(hasRole(app, 'exporter', stored)).to.equal(true);
  });

  it('the declared permissions are the explicit list, or by default the YAML roles\' union', () => {
    expect([...grantablePermissions(app)]).to.deep.equal(['inv:read', 'inv:write', 'inv:export']);
    expect([...grantablePermissions({ roles: app.roles })]).to.have.members(['inv:read', 'inv:write']);
  });

  it('lists YAML roles first (source settings), then stored ones by name (source admin), shadowed ones once', () => {
    expect(roleDefinitions(app, stored).map((r) => [r.name, r.source])).to.deep.equal([
      ['reader', 'settings'], ['writer', 'settings'], ['exporter', 'admin'], ['janitor', 'admin'],
    ]);
    expect(roleDefinitions(app, stored)[2]).to.deep.equal({ name: 'exporter', description: 'nightly export', permissions: ['inv:export'], source: 'admin' });
  });
});
