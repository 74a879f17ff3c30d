import path from 'node:path';
import { expect } from 'chai';
import { resolveSettings, SettingsError, settingsSchema } from '../../src/config/settings';

const HOME = path.resolve('/srv/portcullis-home');

const app = () => ({
  audience: 'urn:portcullis:application:echo',
  roles: { 'echo-reader': ['echo:read'] },
  routes: [{ methods: ['GET'], path: '/echo/**', permission: 'echo:read' }],
});
const minimal = (extra: Record<string, unknown> = {}) => ({ issuer: 'https://auth.example.com', applications: { echo: app() }, ...extra });

/** Asserts that the raw settings are refused with a SettingsError whose message names `field`. */
function refused(raw: unknown, field: string | RegExp): SettingsError {
  let caught: unknown;
  try {
    resolveSettings(raw, HOME);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'resolveSettings must throw').to.be.instanceOf(SettingsError);
  const message = (caught as Error).message;
  expect(message).to.match(/^invalid Portcullis settings: /);
  if (typeof field === 'string') expect(message).to.include(field);
  else expect(message).to.match(field);
  return caught as SettingsError;
}

describe('settings (src/config/settings.ts)', function () {
  describe('defaults', function () {
    it('fills every default on minimal settings', function () {
      const s = resolveSettings(minimal(), HOME);
      expect(s.issuer).to.equal('https://auth.example.com');
      expect(s.realm).to.equal('portcullis');
      expect(s.store).to.deep.equal({
        type: 'sqlite',
        sqlitePath: path.join(HOME, 'data', 'portcullis.db'),
        redisUrl: 'redis://127.0.0.1:6379',
        redisKeyPrefix: 'portcullis:',
        redis: { mode: 'standalone', cluster: { nodes: [] }, sentinel: { sentinels: [], database: 0 }, tls: { enabled: false } },
      });
      expect(s.keys).to.deep.equal({ algorithm: 'RS256' });
      expect(s.tokens).to.include({ accessTokenTtl: 3600, authorizationCodeTtl: 600, refreshTokenTtl: 7776000 });
      expect(s.cacheMs).to.equal(500);
      expect(s.applications.echo.routes[0]).to.deep.equal({ methods: ['GET'], path: '/echo/**', permission: 'echo:read' });
    });

    it('fills defaults inside partially given sections and keeps given values', function () {
      const s = resolveSettings(minimal({ store: { type: 'redis' }, tokens: { accessTokenTtl: 600 }, keys: { algorithm: 'EdDSA' }, realm: 'corp', cacheMs: 0 }), HOME);
      expect(s.store.type).to.equal('redis');
      expect(s.store.redisUrl).to.equal('redis://127.0.0.1:6379');
      expect(s.tokens).to.include({ accessTokenTtl: 600, authorizationCodeTtl: 600, refreshTokenTtl: 7776000 });
      expect(s.keys.algorithm).to.equal('EdDSA');
      expect(s.realm).to.equal('corp');
      expect(s.cacheMs, 'zero is a value, not a missing one').to.equal(0);
    });

    it('does not modify the object it was given', function () {
      const raw = minimal({ store: { sqlitePath: 'rel/db.sqlite' } });
      const copy = structuredClone(raw);
      resolveSettings(raw, HOME);
      expect(raw).to.deep.equal(copy);
    });

    it('accepts numbers written as strings (as environment substitution produces)', function () {
      const s = resolveSettings(minimal({ cacheMs: '250', tokens: { accessTokenTtl: '900' } }), HOME);
      expect(s.cacheMs).to.equal(250);
      expect(s.tokens.accessTokenTtl).to.equal(900);
    });

    it('exposes the schema (the plugin hands it to Express Gateway)', function () {
      expect(settingsSchema).to.have.property('type', 'object');
      expect(settingsSchema.required).to.include.members(['issuer', 'applications']);
    });
  });

  describe('sqlitePath', function () {
    it('resolves a relative path against the installation home, not the working directory', function () {
      expect(resolveSettings(minimal({ store: { sqlitePath: 'var/db.sqlite' } }), HOME).store.sqlitePath).to.equal(path.join(HOME, 'var', 'db.sqlite'));
      expect(resolveSettings(minimal({ store: { sqlitePath: './x.db' } }), HOME).store.sqlitePath).to.equal(path.join(HOME, 'x.db'));
      expect(resolveSettings(minimal({ store: { sqlitePath: '../up.db' } }), HOME).store.sqlitePath).to.equal(path.resolve(HOME, '..', 'up.db'));
    });

    it('leaves an absolute path as it is', function () {
      const abs = path.resolve('/var/lib/portcullis/p.db');
      expect(resolveSettings(minimal({ store: { sqlitePath: abs } }), HOME).store.sqlitePath).to.equal(abs);
    });

    it("leaves ':memory:' untouched", function () {
      expect(resolveSettings(minimal({ store: { sqlitePath: ':memory:' } }), HOME).store.sqlitePath).to.equal(':memory:');
    });
  });

  describe('invalid settings name the field at fault', function () {
    it('nothing at all, or not an object', function () {
      refused(undefined, /plugins\.portcullis\.issuer: missing required field/);
      refused(null, /plugins\.portcullis\.issuer: missing required field/);
      refused('issuer: x', /must be object/);
    });

    it('issuer: missing, trailing slash, query, fragment, not http(s)', function () {
      refused({ applications: { echo: app() } }, 'plugins.portcullis.issuer: missing required field');
      refused(minimal({ issuer: 'https://auth.example.com/' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'https://auth.example.com/tenant/' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'https://auth.example.com?x=1' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'https://auth.example.com/a?x=1' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'https://auth.example.com#frag' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'ftp://auth.example.com' }), 'plugins.portcullis.issuer');
      refused(minimal({ issuer: 'auth.example.com' }), 'plugins.portcullis.issuer');
      // and the valid ones are accepted (so the checks above are about the defect only)
      expect(resolveSettings(minimal({ issuer: 'http://localhost:8080' }), HOME).issuer).to.equal('http://localhost:8080');
      expect(resolveSettings(minimal({ issuer: 'https://auth.example.com/tenant' }), HOME).issuer).to.equal('https://auth.example.com/tenant');
    });

    it('store: unknown type, empty sqlitePath, bad redisUrl, unknown field', function () {
      refused(minimal({ store: { type: 'mongodb' } }), 'plugins.portcullis.store.type');
      refused(minimal({ store: { sqlitePath: '' } }), 'plugins.portcullis.store.sqlitePath');
      refused(minimal({ store: { redisUrl: 'http://127.0.0.1:6379' } }), 'plugins.portcullis.store.redisUrl');
      refused(minimal({ store: { path: 'x.db' } }), /plugins\.portcullis\.store\.path: unknown field/);
    });

    it('keys: unknown algorithm', function () {
      refused(minimal({ keys: { algorithm: 'HS256' } }), 'plugins.portcullis.keys.algorithm');
      refused(minimal({ keys: { algorithm: 'none' } }), 'plugins.portcullis.keys.algorithm');
    });

    it('tokens: out of range or not integers', function () {
      refused(minimal({ tokens: { accessTokenTtl: 59 } }), 'plugins.portcullis.tokens.accessTokenTtl');
      refused(minimal({ tokens: { accessTokenTtl: 86401 } }), 'plugins.portcullis.tokens.accessTokenTtl');
      refused(minimal({ tokens: { accessTokenTtl: 90.5 } }), 'plugins.portcullis.tokens.accessTokenTtl');
      refused(minimal({ tokens: { authorizationCodeTtl: 601 } }), 'plugins.portcullis.tokens.authorizationCodeTtl');
      refused(minimal({ tokens: { refreshTokenTtl: 10 } }), 'plugins.portcullis.tokens.refreshTokenTtl');
    });

    it('cacheMs above 1000 or negative', function () {
      refused(minimal({ cacheMs: 1001 }), 'plugins.portcullis.cacheMs');
      refused(minimal({ cacheMs: -1 }), 'plugins.portcullis.cacheMs');
      expect(resolveSettings(minimal({ cacheMs: 1000 }), HOME).cacheMs).to.equal(1000);
    });

    it('application names: uppercase, leading dash, too long; no applications at all', function () {
      const err = refused(minimal({ applications: { Echo: app() } }), 'plugins.portcullis.applications');
      expect(err.message, 'which name is wrong').to.include('"Echo"');
      refused(minimal({ applications: { echo: app(), '-x': app() } }), '"-x"');
      refused(minimal({ applications: { ['a'.repeat(65)]: app() } }), 'plugins.portcullis.applications');
      refused(minimal({ applications: {} }), 'plugins.portcullis.applications');
      refused({ issuer: 'https://auth.example.com' }, 'plugins.portcullis.applications: missing required field');
    });

    it('an application: missing routes or audience; unknown field; no roles means no permission unless declared', function () {
      const { routes: _r, ...noRoutes } = app();
      refused(minimal({ applications: { echo: noRoutes } }), /plugins\.portcullis\.applications\.echo\.routes: missing required field/);
      // Roles may be left out (admins may make them all), but then nothing declares the routes' permissions.
      const { roles: _o, ...noRoles } = app();
      refused(minimal({ applications: { echo: noRoles } }), /plugins\.portcullis\.applications\.echo\.routes\[0\]\.permission: .*the application declares no permission/);
      const { audience: _a, ...noAudience } = app();
      refused(minimal({ applications: { echo: noAudience } }), /plugins\.portcullis\.applications\.echo\.audience: missing required field/);
      refused(minimal({ applications: { echo: { ...app(), audiense: 'x' } } }), /plugins\.portcullis\.applications\.echo\.audiense: unknown field \(did you mean audience\?\)/);
      refused(minimal({ applications: { echo: { ...app(), audience: '' } } }), 'plugins.portcullis.applications.echo.audience');
    });

    it('permissions: by default every permission of the YAML roles; declared, a YAML role may name only those', function () {
      expect(resolveSettings(minimal(), HOME).applications.echo.permissions).to.have.members(['echo:read']);
      const declared = resolveSettings(minimal({ applications: { echo: { ...app(), permissions: ['echo:read', 'echo:export'] } } }), HOME).applications.echo;
      expect(declared.permissions).to.deep.equal(['echo:read', 'echo:export']);
      // Without any YAML role: admins make the roles, the routes name declared permissions.
      const { roles: _r, ...noRoles } = app();
      const adminOnly = resolveSettings(minimal({ applications: { echo: { ...noRoles, permissions: ['echo:read'] } } }), HOME).applications.echo;
      expect(adminOnly.roles).to.deep.equal({});
      refused(minimal({ applications: { echo: { ...app(), permissions: ['echo:export'] } } }), /applications\.echo\.roles\.[\w-]+: role "[\w-]+" names permission "echo:read", which application "echo" does not declare in permissions/);
      refused(minimal({ applications: { echo: { ...app(), permissions: ['has space'] } } }), 'plugins.portcullis.applications.echo.permissions[0]');
    });

    it('roles: bad role name, permission with spaces or quotes', function () {
      refused(minimal({ applications: { echo: { ...app(), roles: { 'bad role': ['x'] } } } }), '"bad role"');
      refused(minimal({ applications: { echo: { ...app(), roles: { r: ['has space'] } } } }), 'plugins.portcullis.applications.echo.roles.r[0]');
      refused(minimal({ applications: { echo: { ...app(), roles: { r: ['quo"te'] } } } }), 'plugins.portcullis.applications.echo.roles.r[0]');
    });

    it('routes: method not in the enum, lowercase method, empty methods, bad path, bad permission, unknown field', function () {
      const route = (r: Record<string, unknown>) => minimal({ applications: { echo: { ...app(), routes: [{ path: '/echo', permission: 'echo:read', ...r }] } } });
      refused(route({ methods: ['FETCH'] }), 'plugins.portcullis.applications.echo.routes[0].methods[0]');
      refused(route({ methods: ['GET', 'get'] }), 'plugins.portcullis.applications.echo.routes[0].methods[1]');
      refused(route({ methods: ['TRACE'] }), 'plugins.portcullis.applications.echo.routes[0].methods[0]');
      refused(route({ methods: [] }), 'plugins.portcullis.applications.echo.routes[0].methods');
      refused(route({ path: 'echo/**' }), 'plugins.portcullis.applications.echo.routes[0].path');
      refused(route({ permission: 'echo read' }), 'plugins.portcullis.applications.echo.routes[0].permission');
      refused(route({ permision: 'x' }), /plugins\.portcullis\.applications\.echo\.routes\[0\]\.permision: unknown field \(did you mean permission\?\); allowed fields: methods, path, permission/);
      refused(minimal({ applications: { echo: { ...app(), routes: [{ path: 'plugins.portcullis.echo' }] } } }), /plugins\.portcullis\.applications\.echo\.routes\[0\]\.permission: missing required field/);
    });

    it('an unknown top-level field', function () {
      refused(minimal({ issuerUrl: 'https://x' }), /system\.config\.yml: plugins\.portcullis\.issuerUrl: unknown field/);
      refused(minimal({ cachems: 500 }), 'plugins.portcullis.cachems: unknown field (did you mean cacheMs?)');
    });

    it('lists every problem, not only the first', function () {
      const err = refused(minimal({ issuer: 'https://x/', cacheMs: 5000, store: { type: 'mongo' } }), 'plugins.portcullis.issuer');
      expect(err.message).to.include('plugins.portcullis.cacheMs').and.to.include('plugins.portcullis.store.type');
    });
  });
});

describe('settings: route permissions that no role grants (src/config/route-permissions-check.ts)', function () {
  it('refuses a route whose permission no role grants, naming application, route and permission, with the closest one', function () {
    const typo = { ...app(), routes: [{ path: '/echo/**', permission: 'echo:read' }, { methods: ['POST'], path: '/echo/items', permission: 'echo:raed' }] };
    refused(
      minimal({ applications: { echo: typo } }),
      'system.config.yml: plugins.portcullis.applications.echo.routes[1].permission: route 1 (/echo/items) of application "echo" needs permission "echo:raed", which no role of "echo" grants, so every caller would be refused; did you mean "echo:read"?',
    );
  });

  it('lists the declared permissions when none is close, and checks each application against its own roles', function () {
    const other = { ...app(), audience: 'urn:x', roles: { r: ['reports:read'] }, routes: [{ path: '/r', permission: 'echo:read' }] };
    refused(minimal({ applications: { echo: app(), reports: other } }), /applications\.reports\.routes\[0\]\.permission: .*no role of "reports" grants.*declared permissions: reports:read/);
  });

  it('refuses a request timeout shorter than the headers timeout', function () {
    refused(minimal({ server: { headersTimeoutMs: 5000, requestTimeoutMs: 1000 } }), 'plugins.portcullis.server.requestTimeoutMs: must be >= server.headersTimeoutMs (5000)');
    expect(resolveSettings(minimal(), HOME).server).to.deep.equal({ headersTimeoutMs: 10000, requestTimeoutMs: 30000, keepAliveTimeoutMs: 5000 });
  });
});
