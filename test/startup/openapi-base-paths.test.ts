import { expect } from 'chai';
import { serverBasePaths } from '../../src/startup/openapi-base-paths';

describe('OpenAPI servers -> base paths (src/startup/openapi-base-paths.ts)', function () {
  it('no servers, or only the root: the paths as written', function () {
    expect(serverBasePaths(undefined)).to.deep.equal(['']);
    expect(serverBasePaths([])).to.deep.equal(['']);
    expect(serverBasePaths([{ url: 'https://api.example.com' }, { url: 'https://api.example.com/' }, { url: '/' }])).to.deep.equal(['']);
  });

  it('the path of an absolute URL, without its trailing slash', function () {
    expect(serverBasePaths([{ url: 'https://api.example.com/v1' }])).to.deep.equal(['/v1']);
    expect(serverBasePaths([{ url: 'http://localhost:8080/api/v2/' }])).to.deep.equal(['/api/v2']);
  });

  it('a relative URL (resolved against the document): its path', function () {
    expect(serverBasePaths([{ url: '/v1' }])).to.deep.equal(['/v1']);
    expect(serverBasePaths([{ url: 'v1' }])).to.deep.equal(['/v1']);
  });

  it('server variables: each enum value is a base path, else the default', function () {
    const servers = [{ url: 'https://{region}.example.com/{version}', variables: { region: { default: 'eu', enum: ['eu', 'us'] }, version: { default: 'v1', enum: ['v1', 'v2'] } } }];
    expect(serverBasePaths(servers)).to.deep.equal(['/v1', '/v2']);
    expect(serverBasePaths([{ url: '/{base}', variables: { base: { default: 'petstore' } } }])).to.deep.equal(['/petstore']);
  });

  it('the same base path from several servers counts once', function () {
    expect(serverBasePaths([{ url: 'https://eu.example.com/v1' }, { url: 'https://us.example.com/v1' }, { url: '/beta' }])).to.deep.equal(['/v1', '/beta']);
  });

  it('a variable the server does not declare is refused (it would never match a request)', function () {
    expect(() => serverBasePaths([{ url: 'https://api.example.com/{version}' }])).to.throw('https://api.example.com/{version} uses {version}, which its variables do not declare');
  });
});
