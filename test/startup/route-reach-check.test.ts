import { expect } from 'chai';
import { routesCanMatch } from '../../src/startup/route-reach-check';

describe('route reach check with an OpenAPI document (src/startup/route-reach-check.ts)', function () {
  const app = { audience: 'urn:a', permissions: ['a:read'], trustedIssuers: [], roles: { r: ['a:read'] }, routes: [{ path: '/a/**', permission: 'a:read' }] };

  it('an application with a document passes: its rules are read only when the runtime opens', function () {
    expect(routesCanMatch(app, ['/b/*']), 'hand-written rules alone are checked').to.equal(false);
    expect(routesCanMatch({ ...app, openapi: { document: '/srv/b.yaml' } }, ['/b/*'])).to.equal(true);
    expect(routesCanMatch({ ...app, routes: [], openapi: { document: '/srv/b.yaml' } }, undefined)).to.equal(true);
    expect(routesCanMatch({ ...app, routes: [] }, undefined)).to.equal(false);
  });
});
