import { expect } from 'chai';
import path from 'node:path';
import { resolveSettings, SettingsError } from '../../src/config/settings';

/** `applications.<name>.openapi` (issue 9 part 4): the document instead of, or beside, `routes`. */
describe('settings: an application\'s OpenAPI document (src/config/settings.schema.json)', function () {
  const app = (extra: Record<string, unknown>) => ({ audience: 'urn:a', roles: { r: ['a:read'] }, ...extra });
  const resolve = (applications: Record<string, unknown>, home = '/srv/portcullis') => resolveSettings({ issuer: 'https://auth.example.com', applications }, home);
  const refused = (applications: Record<string, unknown>, pattern: RegExp) => expect(() => resolve(applications)).to.throw(SettingsError, pattern);

  it('instead of routes: no routes needed, and they default to none', function () {
    const s = resolve({ a: app({ openapi: { document: '/etc/api.yaml' } }) });
    expect(s.applications.a.routes).to.deep.equal([]);
    expect(s.applications.a.openapi).to.deep.equal({ document: '/etc/api.yaml' });
  });

  it('beside routes, with a basePath', function () {
    const s = resolve({ a: app({ routes: [{ path: '/x', permission: 'a:read' }], openapi: { document: '/etc/api.yaml', basePath: '/api' } }) });
    expect(s.applications.a.routes).to.have.length(1);
    expect(s.applications.a.openapi!.basePath).to.equal('/api');
  });

  it('a relative document is found from the installation folder, as the SQLite file is', function () {
    expect(resolve({ a: app({ openapi: { document: 'config/api.yaml' } }) }, '/srv/p').applications.a.openapi!.document).to.equal(path.resolve('/srv/p', 'config/api.yaml'));
  });

  it('neither routes nor openapi: refused, naming both', function () {
    refused({ a: app({}) }, /plugins\.portcullis\.applications\.a\.routes: missing required field \(or name an OpenAPI document in openapi\)/);
  });

  it('a bad openapi setting is refused, naming the field', function () {
    refused({ a: app({ openapi: {} }) }, /applications\.a\.openapi\.document: missing required field/);
    refused({ a: app({ openapi: { document: '' } }) }, /applications\.a\.openapi\.document/);
    refused({ a: app({ openapi: { document: 'x.yaml', basePath: 'api' } }) }, /applications\.a\.openapi\.basePath/);
    refused({ a: app({ openapi: { document: 'x.yaml', base: '/api' } }) }, /applications\.a\.openapi\.base: unknown field/);
    refused({ a: app({ openapi: 'x.yaml' }) }, /applications\.a\.openapi/);
  });
});
