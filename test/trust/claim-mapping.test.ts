import { expect } from 'chai';
import { InvalidToken } from '../../src/errors/oauth-errors';
import { claimAt, mapClaims } from '../../src/trust/claim-mapping';
import { foreignPermissions } from '../../src/applications/permissions';

const DEFAULTS = { scopes: ['scope', 'scp'], clientId: ['client_id', 'azp', 'appid'] };

/** Claim shapes of real issuers (issue 9 part 3), as their tokens carry them. */
describe('trust: claim mapping', () => {
  it('Keycloak: realm roles, client roles under resource_access.<client>.roles, azp, scope string', () => {
    const claims = { azp: 'orders-web', scope: 'openid email', realm_access: { roles: ['offline_access', 'orders-admin'] }, resource_access: { 'orders-api': { roles: ['reader'] } } };
    expect(mapClaims(claims, { ...DEFAULTS, roles: 'realm_access.roles' })).to.deep.equal({ clientId: 'orders-web', scopes: ['openid', 'email'], roles: ['offline_access', 'orders-admin'] });
    expect(mapClaims(claims, { ...DEFAULTS, roles: 'resource_access.orders-api.roles' }).roles).to.deep.equal(['reader']);
  });

  it('Auth0: a namespaced roles claim (its dots are part of the name), azp, scope string', () => {
    const claims = { azp: 'AbC123', scope: 'read:orders', 'https://example.com/roles': ['reader'], permissions: ['read:orders'] };
    expect(mapClaims(claims, { ...DEFAULTS, roles: 'https://example.com/roles' })).to.deep.equal({ clientId: 'AbC123', scopes: ['read:orders'], roles: ['reader'] });
  });

  it('Entra ID: scp (space-separated) for delegated tokens, roles for app tokens, azp (v2) or appid (v1)', () => {
    expect(mapClaims({ azp: 'app-1', scp: 'Orders.Read Orders.Write' }, { ...DEFAULTS, roles: 'roles' }).scopes).to.deep.equal(['Orders.Read', 'Orders.Write']);
    expect(mapClaims({ appid: 'app-2', roles: ['Orders.Read.All'] }, { ...DEFAULTS, roles: 'roles' })).to.deep.equal({ clientId: 'app-2', scopes: [], roles: ['Orders.Read.All'] });
  });

  it('scp as an array; the first scope claim present wins', () => {
    expect(mapClaims({ client_id: 'c', scp: ['a', 'b'] }, DEFAULTS).scopes).to.deep.equal(['a', 'b']);
    expect(mapClaims({ client_id: 'c', scope: 'x', scp: ['a'] }, DEFAULTS).scopes).to.deep.equal(['x']);
  });

  it('drops roles and scopes that could never be a header value or a declared role (commas, spaces, non-strings)', () => {
    const mapped = mapClaims({ client_id: 'c', scope: 'ok "quoted"', roles: ['a,b', 'good', 7, 'with space'] }, { ...DEFAULTS, roles: 'roles' });
    expect(mapped.roles).to.deep.equal(['good']);
    expect(mapped.scopes).to.deep.equal(['ok']);
  });

  it('refuses a token that names no client', () => {
    expect(() => mapClaims({ sub: 'x' }, DEFAULTS)).to.throw(InvalidToken, /names no client/);
    expect(() => mapClaims({ azp: 'two words' }, DEFAULTS)).to.throw(InvalidToken);
  });

  it('a claim path never reaches Object.prototype', () => {
    expect(claimAt({}, 'constructor.name')).to.equal(undefined);
    expect(claimAt({ a: { b: 1 } }, ['a', 'b'])).to.equal(1);
  });

  describe('foreignPermissions (src/applications/permissions.ts)', () => {
    const app = { roles: { reader: ['orders:read'], writer: ['orders:read', 'orders:write'] } };
    it('roles: through the application\'s roles; scopes that name permissions narrow them', () => {
      expect([...foreignPermissions(app, 'roles', ['writer'], ['openid'])]).to.deep.equal(['orders:read', 'orders:write']);
      expect([...foreignPermissions(app, 'roles', ['writer'], ['orders:read'])]).to.deep.equal(['orders:read']);
      expect([...foreignPermissions(app, 'roles', ['__proto__'], [])]).to.deep.equal([]);
    });
    it('scopes: used as permissions directly, only those the application declares', () => {
      expect([...foreignPermissions(app, 'scopes', ['writer'], ['orders:read', 'admin:all'])]).to.deep.equal(['orders:read']);
    });
  });
});
