import { expect } from 'chai';
import type { RouteRule } from '../../src/config/settings';
import { InvalidRequest } from '../../src/errors/oauth-errors';
import { normalisePath, RouteMatcher } from '../../src/guard/route-matcher';
import type { GuardRoute, RouteAccess } from '../../src/guard/route-rule';

const matcher = (...rules: RouteRule[]) => new RouteMatcher(rules);

function refuses(m: RouteMatcher, path: string, method = 'GET'): InvalidRequest {
  let caught: unknown;
  try {
    m.permissionFor(method, path);
  } catch (err) {
    caught = err;
  }
  expect(caught, `path ${JSON.stringify(path)} must be refused`).to.be.instanceOf(InvalidRequest);
  expect((caught as InvalidRequest).error).to.equal('invalid_request');
  expect((caught as InvalidRequest).status).to.equal(400);
  return caught as InvalidRequest;
}

describe('RouteMatcher (src/guard/route-matcher.ts)', function () {
  describe('patterns', function () {
    it('matches a literal path exactly', function () {
      const m = matcher({ path: '/status', permission: 'p' });
      expect(m.permissionFor('GET', '/status')).to.equal('p');
      expect(m.permissionFor('GET', '/status/')).to.equal(undefined);
      expect(m.permissionFor('GET', '/status/x')).to.equal(undefined);
      expect(m.permissionFor('GET', '/statusx')).to.equal(undefined);
      expect(m.permissionFor('GET', '/x/status')).to.equal(undefined);
    });

    it('`*` matches exactly one segment', function () {
      const m = matcher({ path: '/users/*/profile', permission: 'p' });
      expect(m.permissionFor('GET', '/users/42/profile')).to.equal('p');
      expect(m.permissionFor('GET', '/users/alice/profile')).to.equal('p');
      expect(m.permissionFor('GET', '/users/a/b/profile')).to.equal(undefined);
      expect(m.permissionFor('GET', '/users/profile')).to.equal(undefined);
      expect(m.permissionFor('GET', '/users/42/profile/x')).to.equal(undefined);
      const tail = matcher({ path: '/items/*', permission: 'p' });
      expect(tail.permissionFor('GET', '/items/1')).to.equal('p');
      expect(tail.permissionFor('GET', '/items/1/2')).to.equal(undefined);
      expect(tail.permissionFor('GET', '/items')).to.equal(undefined);
    });

    it('`*` can be part of a segment', function () {
      const m = matcher({ path: '/files/*.json', permission: 'p' });
      expect(m.permissionFor('GET', '/files/report.json')).to.equal('p');
      expect(m.permissionFor('GET', '/files/report.xml')).to.equal(undefined);
      expect(m.permissionFor('GET', '/files/a/b.json')).to.equal(undefined);
    });

    it('`/prefix/**` matches the bare prefix, a trailing slash and any depth', function () {
      const m = matcher({ path: '/echo/**', permission: 'echo:read' });
      for (const path of ['/echo', '/echo/', '/echo/a', '/echo/a/b', '/echo/a/b/c/d.txt']) {
        expect(m.permissionFor('GET', path), path).to.equal('echo:read');
      }
      for (const path of ['/echoes', '/echo-admin', '/echox/a', '/', '/other/echo', '/Echo/a']) {
        expect(m.permissionFor('GET', path), path).to.equal(undefined);
      }
    });

    it('`**` in the middle spans any number of segments', function () {
      const m = matcher({ path: '/api/**/edit', permission: 'p' });
      expect(m.permissionFor('GET', '/api/edit')).to.equal('p');
      expect(m.permissionFor('GET', '/api/a/edit')).to.equal('p');
      expect(m.permissionFor('GET', '/api/a/b/c/edit')).to.equal('p');
      expect(m.permissionFor('GET', '/api/a/b/view')).to.equal(undefined);
      expect(m.permissionFor('GET', '/apix/edit')).to.equal(undefined);
    });

    it('`/**` matches everything', function () {
      const m = matcher({ path: '/**', permission: 'any' });
      for (const path of ['/', '/a', '/a/b/c']) expect(m.permissionFor('GET', path), path).to.equal('any');
    });

    it('regular-expression characters in patterns are literal', function () {
      const dot = matcher({ path: '/a.b', permission: 'p' });
      expect(dot.permissionFor('GET', '/a.b')).to.equal('p');
      expect(dot.permissionFor('GET', '/axb')).to.equal(undefined);
      const others = matcher(
        { path: '/v1+/(x)', permission: 'plus' },
        { path: '/q?/[a]', permission: 'brackets' },
        { path: '/c$/^d', permission: 'anchors' },
        { path: '/e|f/{1}', permission: 'alt' },
      );
      expect(others.permissionFor('GET', '/v1+/(x)')).to.equal('plus');
      expect(others.permissionFor('GET', '/v11/x')).to.equal(undefined);
      expect(others.permissionFor('GET', '/v1/(x)')).to.equal(undefined);
      expect(others.permissionFor('GET', '/q%3F/[a]'), 'an encoded ? is a literal ? after decoding').to.equal('brackets');
      expect(others.permissionFor('GET', '/q/a')).to.equal(undefined);
      expect(others.permissionFor('GET', '/c$/^d')).to.equal('anchors');
      expect(others.permissionFor('GET', '/e|f/{1}')).to.equal('alt');
      expect(others.permissionFor('GET', '/e')).to.equal(undefined);
      expect(others.permissionFor('GET', '/f/{1}')).to.equal(undefined);
    });

    it('is case-sensitive, as paths are', function () {
      const m = matcher({ path: '/Admin/**', permission: 'p' });
      expect(m.permissionFor('GET', '/Admin/x')).to.equal('p');
      expect(m.permissionFor('GET', '/admin/x')).to.equal(undefined);
    });
  });

  describe('rules', function () {
    it('the first matching rule wins, in the order written', function () {
      const m = matcher(
        { path: '/echo/admin/**', permission: 'echo:admin' },
        { path: '/echo/**', permission: 'echo:read' },
        { path: '/echo/admin/public', permission: 'never-reached' },
      );
      expect(m.permissionFor('GET', '/echo/admin/public')).to.equal('echo:admin');
      expect(m.permissionFor('GET', '/echo/admin')).to.equal('echo:admin');
      expect(m.permissionFor('GET', '/echo/other')).to.equal('echo:read');
      const reversed = matcher({ path: '/echo/**', permission: 'echo:read' }, { path: '/echo/admin/**', permission: 'echo:admin' });
      expect(reversed.permissionFor('GET', '/echo/admin/x')).to.equal('echo:read');
    });

    it('filters by method; a rule without methods applies to every method', function () {
      const m = matcher(
        { methods: ['GET', 'HEAD'], path: '/echo/**', permission: 'echo:read' },
        { methods: ['POST', 'PUT', 'PATCH', 'DELETE'], path: '/echo/**', permission: 'echo:write' },
        { path: '/any/**', permission: 'any' },
      );
      expect(m.permissionFor('GET', '/echo/x')).to.equal('echo:read');
      expect(m.permissionFor('HEAD', '/echo/x')).to.equal('echo:read');
      expect(m.permissionFor('POST', '/echo/x')).to.equal('echo:write');
      expect(m.permissionFor('DELETE', '/echo')).to.equal('echo:write');
      expect(m.permissionFor('OPTIONS', '/echo/x'), 'no rule for OPTIONS: deny').to.equal(undefined);
      expect(m.permissionFor('get', '/echo/x'), 'methods are compared as sent (Node upper-cases them)').to.equal(undefined);
      for (const method of ['GET', 'POST', 'OPTIONS', 'PATCH']) expect(m.permissionFor(method, '/any/thing')).to.equal('any');
    });

    it('a method-filtered rule that does not apply lets later rules decide', function () {
      const m = matcher({ methods: ['DELETE'], path: '/echo/**', permission: 'echo:delete' }, { path: '/echo/**', permission: 'echo:read' });
      expect(m.permissionFor('GET', '/echo/x')).to.equal('echo:read');
      expect(m.permissionFor('DELETE', '/echo/x')).to.equal('echo:delete');
    });

    it('no matching rule means undefined (deny by default)', function () {
      expect(matcher().permissionFor('GET', '/anything')).to.equal(undefined);
      const m = matcher({ path: '/echo/**', permission: 'p' });
      expect(m.permissionFor('GET', '/billing')).to.equal(undefined);
      expect(m.permissionFor('GET', '/')).to.equal(undefined);
    });
  });

  describe('the request path', function () {
    const m = matcher({ path: '/echo/**', permission: 'echo:read' }, { path: '/files/*', permission: 'files' }, { path: '/a b', permission: 'space' });

    it('ignores the query string', function () {
      expect(m.permissionFor('GET', '/echo/x?debug=1')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/echo?x=/../admin')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/other?path=/echo/x')).to.equal(undefined);
      expect(m.permissionFor('GET', '/files/a?b/c')).to.equal('files');
    });

    it('percent-decodes ordinary characters before matching', function () {
      expect(m.permissionFor('GET', '/%65cho/x')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/%65%63%68%6F/x')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/a%20b')).to.equal('space');
      expect(m.permissionFor('GET', '/files/r%C3%A9sum%C3%A9')).to.equal('files');
      expect(normalisePath('/caf%C3%A9')).to.equal('/café');
      expect(normalisePath('/%7Euser')).to.equal('/~user');
      expect(normalisePath('/a/b?c=%zz')).to.equal('/a/b');
    });

    it('refuses dot segments', function () {
      for (const path of ['/echo/../admin', '/echo/..', '/../echo', '/echo/./x', '/./echo', '/echo/.', '/..']) refuses(m, path);
    });

    it('refuses dot segments carrying path parameters (servlet containers strip `;...` then resolve them)', function () {
      for (const path of ['/echo/..;/admin', '/echo/..;jsessionid=x/admin', '/echo/.;/x', '/echo/..%3b/admin', '/echo/..%3B/admin']) refuses(m, path);
      // A `;` elsewhere is ordinary.
      expect(m.permissionFor('GET', '/echo/a;b')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/echo/x;..')).to.equal('echo:read');
    });

    it('refuses encoded dots, slashes, backslashes and NUL (any case)', function () {
      for (const path of [
        '/echo/%2e%2e/admin',
        '/echo/%2E%2E/admin',
        '/echo/.%2e/admin',
        '/echo/%2e./admin',
        '/echo/%2e/x',
        '/echo%2fadmin',
        '/echo%2Fadmin',
        '/echo/a%2fb',
        '/echo%5cadmin',
        '/echo%5Cadmin',
        '/echo/%00',
      ]) {
        refuses(m, path);
      }
    });

    it('refuses paths that decode to a dot segment, a separator, NUL or a control character on a second (or later) decoding (RFC 3986 §2.4)', function () {
      for (const path of [
        '/echo/%252e%252e/admin',
        '/echo/%252E%252E/admin',
        '/echo/.%252e/admin',
        '/echo/%252e/x',
        '/echo%252fadmin',
        '/echo/a%252Fb',
        '/echo%255cadmin',
        '/echo/x%2500',
        '/echo/x%2509y',
        '/echo/x%257f',
        '/echo/%25252e%25252e/admin',
        '/echo/%2525252e%2525252e/admin',
        '/echo/..%253b/admin',
        '/echo/%25c0%25ae%25c0%25ae/admin',
        '/echo/%25e0%2580%25ae/admin',
        '/echo/%25252525252e',
      ]) {
        expect(refuses(m, path).description, path).to.equal('ambiguous request path');
      }
    });

    it('refuses paths that Unicode compatibility normalisation (NFKC) turns into a dot segment, a separator or a backslash', function () {
      for (const path of ['/echo/%EF%BC%8E%EF%BC%8E/admin', '/echo/%E2%80%A5/admin', '/echo/x%EF%BC%8Fadmin', '/echo/x%EF%BC%BCadmin', '/echo/%25EF%25BC%258E%25EF%25BC%258E/admin', '/echo/\u00ef\u00bc\u008e\u00ef\u00bc\u008e/admin']) {
        expect(refuses(m, path).description, path).to.equal('ambiguous request path');
      }
      expect(m.permissionFor('GET', '/echo/r%C3%A9sum%C3%A9'), 'ordinary non-ASCII is fine').to.equal('echo:read');
      expect(m.permissionFor('GET', '/echo/caf\u00e9'), 'raw latin1 that is not UTF-8 of a dot or separator').to.equal('echo:read');
    });

    it('refuses control characters on the first decoding too', function () {
      for (const path of ['/echo/a%09b', '/echo/a%0Ab', '/echo/a%0d', '/echo/a%1f', '/echo/a%7F']) refuses(m, path);
    });

    it('a second decoding that yields only ordinary characters is fine, and the path is decoded once', function () {
      expect(normalisePath('/echo/file%252etxt')).to.equal('/echo/file%2etxt');
      expect(normalisePath('/echo/100%25')).to.equal('/echo/100%');
      expect(normalisePath('/echo/100%2525')).to.equal('/echo/100%25');
      expect(normalisePath('/echo/%25zz')).to.equal('/echo/%zz');
      expect(normalisePath('/echo/caf%25C3%25A9')).to.equal('/echo/caf%C3%A9');
      expect(m.permissionFor('GET', '/echo/file%252etxt')).to.equal('echo:read');
    });

    it('refuses empty segments and backslashes', function () {
      for (const path of ['//echo/x', '/echo//x', '/echo/x//', '/echo\\..\\admin', '/echo\\x']) refuses(m, path);
    });

    it('refuses malformed escapes', function () {
      for (const path of ['/echo/%zz', '/echo/%', '/echo/%4', '/echo/%C3', '/echo/%FF']) {
        const err = refuses(m, path);
        expect(err.description).to.match(/malformed|ambiguous/);
      }
    });

    it('a dot inside a name is not a dot segment', function () {
      expect(m.permissionFor('GET', '/echo/file.txt')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/echo/..hidden')).to.equal('echo:read');
      expect(m.permissionFor('GET', '/echo/.well-known')).to.equal('echo:read');
    });

    it('a refused path is refused whatever the rules are (even with no rules)', function () {
      refuses(matcher(), '/x/../y');
      refuses(matcher({ path: '/**', permission: 'any' }), '/x/%2e%2e/y');
    });
  });
});

describe('RouteMatcher: guard rules (OpenAPI templates, alternatives; src/guard/route-rule.ts)', function () {
  const rule = (path: string, access: RouteAccess, methods?: string[]): GuardRoute => ({ path, access, methods, syntax: 'template', source: 'test' });
  const read: RouteAccess = { kind: 'permissions', anyOf: [['pets:read']] };

  it('a template segment matches one non-empty segment', function () {
    const m = new RouteMatcher([rule('/v1/pets/{petId}', read)]);
    expect(m.accessFor('GET', '/v1/pets/7')).to.deep.equal([read]);
    expect(m.accessFor('GET', '/v1/pets/7?x=1')).to.deep.equal([read]);
    for (const path of ['/v1/pets/', '/v1/pets', '/v1/pets/7/x', '/pets/7']) expect(m.accessFor('GET', path), path).to.deep.equal([]);
  });

  it('a template inside a segment, and literal characters that are special in globs and regexps', function () {
    const m = new RouteMatcher([rule('/photos/{id}.jpg', read), rule('/a*b/(c)', read)]);
    expect(m.permissionFor('GET', '/photos/7.jpg')).to.equal('pets:read');
    expect(m.permissionFor('GET', '/photos/.jpg')).to.equal(undefined);
    expect(m.permissionFor('GET', '/photos/7xjpg')).to.equal(undefined);
    expect(m.permissionFor('GET', '/a*b/(c)')).to.equal('pets:read');
    expect(m.permissionFor('GET', '/aXb/(c)')).to.equal(undefined);
  });

  it('hand-written rules keep their glob meaning next to guard rules: `*` may be empty, a `{x}` is literal', function () {
    const m = new RouteMatcher([{ path: '/h/*', permission: 'h' }, { path: '/lit/{x}', permission: 'l' }, rule('/t/{x}', read)]);
    expect(m.permissionFor('GET', '/h/')).to.equal('h');
    expect(m.permissionFor('GET', '/lit/{x}')).to.equal('l');
    expect(m.permissionFor('GET', '/lit/7')).to.equal(undefined);
    expect(m.permissionFor('GET', '/t/7')).to.equal('pets:read');
  });

  it('a rule\'s methods, and its access as given (alternatives, public, deny)', function () {
    const alternatives: RouteAccess = { kind: 'permissions', anyOf: [['pets:admin'], ['pets:write', 'pets:own']] };
    const m = new RouteMatcher([rule('/p/{id}', alternatives, ['DELETE']), rule('/status', { kind: 'public' }, ['GET']), rule('/p/{id}', { kind: 'deny' }, ['PUT'])]);
    expect(m.accessFor('DELETE', '/p/1')).to.deep.equal([alternatives]);
    expect(m.permissionFor('DELETE', '/p/1')).to.equal('pets:admin or (pets:write and pets:own)');
    expect(m.accessFor('GET', '/status')).to.deep.equal([{ kind: 'public' }]);
    expect(m.accessFor('PUT', '/p/1')).to.deep.equal([{ kind: 'deny' }]);
    expect(m.accessFor('GET', '/p/1')).to.deep.equal([]);
  });

  it('other readings of the path count for templates too: a public rule cannot open a protected one by case', function () {
    const m = new RouteMatcher([rule('/Admin', read), rule('/admin', { kind: 'public' })]);
    expect(m.accessFor('GET', '/admin')).to.deep.equal([{ kind: 'public' }, read]);
  });
});
