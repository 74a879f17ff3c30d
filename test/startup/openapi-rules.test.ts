import { expect } from 'chai';
import path from 'node:path';
import type { OpenAPIV3 } from 'openapi-types';
import { accessText, type GuardRoute } from '../../src/guard/route-rule';
import { loadOpenApiDocument, type OpenApiDocument } from '../../src/startup/openapi-document';
import { openApiRules } from '../../src/startup/openapi-rules';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'openapi');
const PETSTORE_PERMISSIONS = new Set(['pets:read', 'pets:write', 'pets:admin', 'pets:own', 'store:read', 'store:order', 'users:read']);

const OAUTH: OpenAPIV3.SecuritySchemeObject = { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://a.test/token', scopes: {} } } };
const OK = { responses: { '200': { description: 'ok' } } };

/** A small document: `paths` as given, an oauth2 scheme `oauth`, an apiKey `key` and an http `basic`. */
function doc(paths: Record<string, unknown>, extra: Partial<OpenAPIV3.Document> = {}): OpenApiDocument {
  return {
    openapi: '3.0.3',
    info: { title: 't', version: '1' },
    paths: paths as OpenAPIV3.PathsObject,
    components: { securitySchemes: { oauth: OAUTH, oidc: { type: 'openIdConnect', openIdConnectUrl: 'https://a.test/.well-known/openid-configuration' }, key: { type: 'apiKey', name: 'X-Key', in: 'header' }, basic: { type: 'http', scheme: 'basic' } } },
    ...extra,
  };
}

function rules(document: OpenApiDocument, granted: Iterable<string> = ['a', 'b', 'c'], basePath?: string) {
  return openApiRules({ document, label: 'api.yaml', granted: new Set(granted), basePath });
}

/** `METHOD path -> needs` per rule, in the order the guard tries them. */
const table = (routes: GuardRoute[]) => routes.map((r) => `${r.methods!.join(',')} ${r.path} -> ${accessText(r.access)}`);

describe('OpenAPI operations -> route rules (src/startup/openapi-rules.ts)', function () {
  describe('the petstore fixture (test/fixtures/openapi/petstore.yaml)', function () {
    let routes: GuardRoute[];
    before(async function () {
      const loaded = await loadOpenApiDocument(path.join(FIXTURES, 'petstore.yaml'));
      if ('problem' in loaded) throw new Error(loaded.problem);
      const compiled = rules(loaded.document, PETSTORE_PERMISSIONS);
      expect(compiled.problems).to.deep.equal([]);
      routes = compiled.routes;
    });

    it('gives every operation its rule, under the servers base path, concrete paths first', function () {
      expect(table(routes)).to.deep.equal([
        'GET /v1/pets -> pets:read',
        'POST /v1/pets -> pets:write',
        'GET /v1/pets/mine -> pets:own',
        'GET /v1/store/status -> public',
        'GET /v1/store/inventory -> store:read',
        'POST /v1/store/orders -> store:order and pets:read',
        'GET /v1/pets/{petId} -> pets:read',
        'DELETE /v1/pets/{petId} -> pets:admin or (pets:write and pets:own)',
        'GET /v1/pets/{petId}/photos/{photoId}.jpg -> pets:read',
        'GET /accounts/users/{username} -> users:read and pets:read',
      ]);
    });

    it('names each rule\'s source: the document, method, path and operationId', function () {
      expect(routes.find((r) => r.path === '/v1/pets/{petId}' && r.methods![0] === 'DELETE')!.source).to.equal('openapi api.yaml: DELETE /pets/{petId} (deletePet)');
      expect(routes.every((r) => r.syntax === 'template')).to.equal(true);
    });

    it('keeps OR between requirement objects and AND within one, as lists', function () {
      const del = routes.find((r) => r.methods![0] === 'DELETE')!;
      expect(del.access).to.deep.equal({ kind: 'permissions', anyOf: [['pets:admin'], ['pets:write', 'pets:own']] });
    });
  });

  describe('security requirements', function () {
    it('the document-level security is the default; an operation\'s own replaces it', function () {
      const d = doc({ '/x': { get: OK, post: { ...OK, security: [{ oauth: ['b'] }] } } }, { security: [{ oauth: ['a'] }] });
      expect(table(rules(d).routes)).to.deep.equal(['GET /x -> a', 'POST /x -> b']);
    });

    it('security: [] is public, on the operation or as the document default', function () {
      expect(table(rules(doc({ '/x': { get: { ...OK, security: [] } } }, { security: [{ oauth: ['a'] }] })).routes)).to.deep.equal(['GET /x -> public']);
      expect(table(rules(doc({ '/x': { get: OK } }, { security: [] })).routes)).to.deep.equal(['GET /x -> public']);
    });

    it('an empty requirement object {} among the alternatives makes the operation public (anonymous is one alternative)', function () {
      expect(rules(doc({ '/x': { get: { ...OK, security: [{ oauth: ['a'] }, {}] } } })).routes[0].access).to.deep.equal({ kind: 'public' });
    });

    it('an operation with no requirement and no document default is denied', function () {
      expect(rules(doc({ '/x': { get: OK } })).routes[0].access).to.deep.equal({ kind: 'deny' });
    });

    it('a requirement without scopes needs only a token of the application', function () {
      expect(rules(doc({ '/x': { get: { ...OK, security: [{ oauth: [] }] } } })).routes[0].access).to.deep.equal({ kind: 'permissions', anyOf: [[]] });
    });

    it('openIdConnect scopes count like oauth2 scopes, and schemes of one requirement add up', function () {
      const d = doc({ '/x': { get: { ...OK, security: [{ oauth: ['a', 'b'], oidc: ['b', 'c'] }] } } });
      expect(rules(d).routes[0].access).to.deep.equal({ kind: 'permissions', anyOf: [['a', 'b', 'c']] });
    });
  });

  describe('x-portcullis-permission', function () {
    it('names the permission, whatever the security says (an API key scheme then is fine)', function () {
      const d = doc({ '/x': { get: { ...OK, security: [{ key: [] }], 'x-portcullis-permission': 'a' }, post: { ...OK, security: [], 'x-portcullis-permission': 'b' } } });
      expect(table(rules(d).routes)).to.deep.equal(['GET /x -> a', 'POST /x -> b']);
    });

    it('a list: every permission is needed', function () {
      expect(rules(doc({ '/x': { get: { ...OK, 'x-portcullis-permission': ['a', 'c'] } } })).routes[0].access).to.deep.equal({ kind: 'permissions', anyOf: [['a', 'c']] });
    });

    it('anything else is refused, naming the operation', function () {
      for (const bad of [42, [], [''], ['a', 3], { a: 1 }]) {
        const { routes, problems } = rules(doc({ '/x': { get: { ...OK, operationId: 'op', 'x-portcullis-permission': bad } } }));
        expect(routes).to.deep.equal([]);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^GET \/x \(op\): x-portcullis-permission must be a permission or a non-empty list of permissions/);
      }
    });
  });

  describe('what stops start-up: each problem names the operation (method, path, operationId)', function () {
    it('a scope that no role of the application grants, with the closest one', function () {
      const { routes, problems } = rules(doc({ '/pets/{id}': { get: { ...OK, operationId: 'getPet', security: [{ oauth: ['pets:raed'] }] } } }), ['pets:read']);
      expect(routes).to.deep.equal([]);
      expect(problems).to.deep.equal([
        'GET /pets/{id} (getPet): scope of security scheme "oauth" is "pets:raed", which no role of the application grants, so every caller would be refused; did you mean "pets:read"?',
      ]);
    });

    it('an x-portcullis-permission that no role grants', function () {
      const { problems } = rules(doc({ '/x': { delete: { ...OK, 'x-portcullis-permission': 'zzz:top' } } }), ['a']);
      expect(problems).to.deep.equal(['DELETE /x: x-portcullis-permission names "zzz:top", which no role of the application grants, so every caller would be refused; declared permissions: a']);
    });

    it('a security scheme that is not oauth2 or openIdConnect, without x-portcullis-permission', function () {
      for (const scheme of ['key', 'basic']) {
        const { problems } = rules(doc({ '/x': { get: { ...OK, operationId: 'op', security: [{ [scheme]: [] }] } } }));
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(new RegExp(`^GET /x \\(op\\): security scheme "${scheme}" is of type (apiKey|http), which has no scopes the guard can check \\(only oauth2 and openIdConnect\\); name the permission with x-portcullis-permission$`));
      }
    });

    it('a security scheme that is not declared', function () {
      const { problems } = rules(doc({ '/x': { get: { ...OK, security: [{ nope: ['a'] }] } } }));
      expect(problems).to.deep.equal(['GET /x: security scheme "nope" is not declared in components.securitySchemes']);
    });

    it('a server URL with an undeclared variable', function () {
      const { problems } = rules(doc({ '/x': { get: { ...OK, operationId: 'op', security: [] } } }, { servers: [{ url: '/{base}/v1' }] }));
      expect(problems).to.deep.equal(['GET /x (op): a server URL cannot be read: /{base}/v1 uses {base}, which its variables do not declare']);
    });

    it('every problem of the document at once', function () {
      const { problems } = rules(doc({ '/x': { get: { ...OK, security: [{ key: [] }] }, put: { ...OK, security: [{ oauth: ['q'] }] } } }));
      expect(problems).to.have.length(2);
    });
  });

  describe('paths', function () {
    it('servers of the operation win over those of the path item, which win over the document\'s', function () {
      const d = doc(
        { '/a': { get: { ...OK, security: [], servers: [{ url: '/op' }] }, post: { ...OK, security: [] }, servers: [{ url: 'https://x.test/item/' }] }, '/b': { get: { ...OK, security: [] } } },
        { servers: [{ url: 'https://api.test/v2' }] },
      );
      expect(table(rules(d).routes)).to.deep.equal(['GET /op/a -> public', 'POST /item/a -> public', 'GET /v2/b -> public']);
    });

    it('one rule per distinct base path', function () {
      const d = doc({ '/a': { get: { ...OK, security: [] } } }, { servers: [{ url: 'https://eu.test/v1' }, { url: 'https://us.test/v1' }, { url: '/beta' }] });
      expect(table(rules(d).routes)).to.deep.equal(['GET /v1/a -> public', 'GET /beta/a -> public']);
    });

    it('basePath of the settings replaces the servers base paths', function () {
      const d = doc({ '/a': { get: { ...OK, security: [] } } }, { servers: [{ url: 'https://api.test/v1' }] });
      expect(table(rules(d, [], '/petstore').routes)).to.deep.equal(['GET /petstore/a -> public']);
      expect(table(rules(d, [], '/').routes)).to.deep.equal(['GET /a -> public']);
    });

    it('a concrete path comes before a templated one written earlier; other rules keep the document\'s order', function () {
      const d = doc({ '/p/{id}': { get: { ...OK, security: [] } }, '/q': { get: { ...OK, security: [] } }, '/p/{id}/x': { get: { ...OK, security: [] } }, '/p/mine': { get: { ...OK, security: [] } }, '/{a}/{b}': { get: { ...OK, security: [] } }, '/p/{id}/{y}': { get: { ...OK, security: [] } }, '/p/mine/{y}': { get: { ...OK, security: [] } } });
      expect(rules(d).routes.map((r) => r.path)).to.deep.equal(['/p/mine', '/p/{id}', '/q', '/p/mine/{y}', '/p/{id}/x', '/{a}/{b}', '/p/{id}/{y}']);
    });

    it('every operation of a path item, each with its upper-case method', function () {
      const all = Object.fromEntries(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'].map((m) => [m, { ...OK, security: [] }]));
      expect(rules(doc({ '/a': all })).routes.map((r) => r.methods![0])).to.deep.equal(['GET', 'PUT', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'TRACE']);
    });
  });
});
