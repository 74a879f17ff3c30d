import { expect } from 'chai';
import express from 'express';
import path from 'node:path';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { Portcullis } from '../../src/runtime/portcullis';
import { SqliteStore } from '../../src/store/sqlite-store';
import { testSettings } from '../helpers/test-portcullis';

/**
 * Permissions from an OpenAPI document on the wire: real tokens from the token endpoint, the real
 * guard in front of an upstream that answers with what reached it. The document is
 * test/fixtures/openapi/petstore.yaml (its header lists the rules); inventory.json has no
 * document-level security and is served under a `basePath` of the settings.
 */
const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'openapi');

const APPLICATIONS = {
  pets: {
    audience: 'urn:portcullis:application:pets',
    roles: {
      'pet-reader': ['pets:read'],
      'pet-writer': ['pets:read', 'pets:write'],
      'pet-admin': ['pets:admin'],
      'pet-owner': ['pets:own'],
      'store-clerk': ['store:read', 'store:order'],
      'user-reader': ['users:read'],
    },
    // Beside the document: hand-written rules come first, so they can also override an operation.
    routes: [{ methods: ['GET'], path: '/v1/reports/**', permission: 'pets:admin' }],
    openapi: { document: path.join(FIXTURES, 'petstore.yaml') },
  },
  inventory: {
    audience: 'urn:portcullis:application:inventory',
    roles: { 'stock-reader': ['inventory:read'], 'stock-writer': ['inventory:write'] },
    openapi: { document: path.join(FIXTURES, 'inventory.json'), basePath: '/stock' },
  },
};

describe('permissions from an OpenAPI document, through the guard (issue 9 part 4)', function () {
  this.timeout(20_000);
  let portcullis: Portcullis;
  let app: express.Express;

  before(async function () {
    portcullis = await Portcullis.open(testSettings({ applications: APPLICATIONS }), {
      store: new SqliteStore({ path: ':memory:' }),
      logger: createLogger('error', () => undefined),
    });
    app = express();
    app.use(portcullis.requestContext());
    app.use(portcullisRouter(portcullis));
    // Mounted on prefixes: the guard matches the original path, base path included.
    app.use(['/v1', '/accounts'], portcullis.guard({ application: 'pets' }).middleware());
    app.use('/stock', portcullis.guard({ application: 'inventory' }).middleware());
    app.use((req, res) => {
      const identity = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name.startsWith('x-portcullis-')));
      res.json({ method: req.method, path: req.originalUrl, identity, authorization: req.headers.authorization ?? null });
    });
  });
  after(() => portcullis.close());

  const tokens = new Map<string, string>();
  /** A token of a new client of `application` with `roles`, from the token endpoint (client_credentials). */
  async function tokenFor(roles: string[], application = 'pets'): Promise<string> {
    const key = `${application}:${roles.join(',')}`;
    const known = tokens.get(key);
    if (known) return known;
    const { client, clientSecret } = await portcullis.clients.create({ name: 'openapi test', application, roles });
    const res = await request(app).post('/oauth2/token').auth(client.clientId, clientSecret!).type('form').send('grant_type=client_credentials');
    expect(res.status, res.text).to.equal(200);
    tokens.set(key, res.body.access_token);
    return res.body.access_token;
  }

  async function call(method: 'get' | 'post' | 'delete' | 'put', url: string, roles?: string[], application?: string) {
    const req = request(app)[method](url);
    if (roles) req.set('Authorization', `Bearer ${await tokenFor(roles, application)}`);
    return req;
  }

  function expectRefused(res: request.Response, description: string, scope?: string) {
    expect(res.status, res.text).to.equal(403);
    expect(res.body.error).to.equal('insufficient_scope');
    expect(res.body.error_description).to.equal(description);
    const challenge = res.headers['www-authenticate'];
    if (scope) expect(challenge).to.contain(`scope="${scope}"`);
    else expect(challenge).to.not.contain('scope=');
  }

  describe('document-level and operation-level security', function () {
    it('an operation without its own security needs the document default (pets:read), under the servers base path /v1', async function () {
      const res = await call('get', '/v1/pets?limit=5', ['pet-reader']);
      expect(res.status, res.text).to.equal(200);
      expect(res.body.identity['x-portcullis-permissions']).to.equal('pets:read');
      expect((await call('get', '/v1/pets')).status).to.equal(401);
      expectRefused(await call('get', '/v1/pets', ['pet-admin']), 'this request needs the pets:read permission', 'pets:read');
    });

    it('an operation\'s own security replaces the default (POST /pets needs pets:write)', async function () {
      expectRefused(await call('post', '/v1/pets', ['pet-reader']), 'this request needs the pets:write permission', 'pets:write');
      expect((await call('post', '/v1/pets', ['pet-writer'])).status).to.equal(200);
    });

    it('an operation whose requirement names two schemes needs the scopes of both (AND)', async function () {
      expectRefused(await call('post', '/v1/store/orders', ['store-clerk']), 'this request needs the store:order and pets:read permissions', 'store:order pets:read');
      expect((await call('post', '/v1/store/orders', ['store-clerk', 'pet-reader'])).status).to.equal(200);
    });

    it('two alternative requirements: either one is enough (OR)', async function () {
      expect((await call('delete', '/v1/pets/7', ['pet-admin'])).status).to.equal(200);
      expect((await call('delete', '/v1/pets/7', ['pet-writer', 'pet-owner'])).status).to.equal(200);
      expectRefused(await call('delete', '/v1/pets/7', ['pet-writer']), 'this request needs the pets:admin permission, or the pets:write and pets:own permissions', 'pets:admin');
      expectRefused(await call('delete', '/v1/pets/7', ['pet-owner']), 'this request needs the pets:admin permission, or the pets:write and pets:own permissions', 'pets:admin');
    });

    it('x-portcullis-permission decides, although the operation\'s scheme is an API key', async function () {
      expect((await call('get', '/v1/store/inventory', ['store-clerk'])).status).to.equal(200);
      expectRefused(await call('get', '/v1/store/inventory', ['pet-reader']), 'this request needs the store:read permission', 'store:read');
    });

    it('x-portcullis-permission as a list, under the operation\'s own servers (/accounts)', async function () {
      expect((await call('get', '/accounts/users/alice', ['user-reader', 'pet-reader'])).status).to.equal(200);
      expectRefused(await call('get', '/accounts/users/alice', ['user-reader']), 'this request needs the users:read and pets:read permissions', 'users:read pets:read');
      // The operation is not under the document's base path.
      expectRefused(await call('get', '/v1/users/alice', ['user-reader', 'pet-reader']), 'no route rule allows this request');
    });
  });

  describe('path templates', function () {
    it('{petId} matches one segment: /pets/7, not /pets/ nor /pets/7/x', async function () {
      expect((await call('get', '/v1/pets/7', ['pet-reader'])).status).to.equal(200);
      expectRefused(await call('get', '/v1/pets/', ['pet-reader']), 'no route rule allows this request');
      expectRefused(await call('get', '/v1/pets/7/x', ['pet-reader']), 'no route rule allows this request');
    });

    it('a concrete path wins over a templated one written before it (/pets/mine needs pets:own)', async function () {
      expectRefused(await call('get', '/v1/pets/mine', ['pet-reader']), 'this request needs the pets:own permission', 'pets:own');
      expect((await call('get', '/v1/pets/mine', ['pet-owner'])).status).to.equal(200);
    });

    it('a template inside a segment (/photos/{photoId}.jpg)', async function () {
      expect((await call('get', '/v1/pets/7/photos/3.jpg', ['pet-reader'])).status).to.equal(200);
      expectRefused(await call('get', '/v1/pets/7/photos/3.png', ['pet-reader']), 'no route rule allows this request');
    });

    it('a method the document does not declare for the path is denied', async function () {
      expectRefused(await call('put', '/v1/pets/7', ['pet-writer', 'pet-admin']), 'no route rule allows this request');
    });
  });

  describe('public operations (security: [])', function () {
    it('pass without a token, and the upstream sees no identity headers, not even forged ones', async function () {
      const res = await request(app).get('/v1/store/status').set('X-Portcullis-Subject', 'forged').set('X-Portcullis-Permissions', 'pets:admin');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.identity).to.deep.equal({});
      expect(res.headers['x-request-id']).to.be.a('string');
    });

    it('a token is not looked at: a garbage one passes, and goes upstream unless hideCredentials', async function () {
      const res = await request(app).get('/v1/store/status').set('Authorization', 'Bearer not-a-token');
      expect(res.status, res.text).to.equal(200);
      expect(res.body.authorization).to.equal('Bearer not-a-token');
      expect(res.body.identity).to.deep.equal({});
      const valid = await call('get', '/v1/store/status', ['pet-reader']);
      expect(valid.body.identity, 'no identity even for a valid token').to.deep.equal({});
    });

    it('the request must still mean what it says (check 0): an override header is refused', async function () {
      const res = await request(app).get('/v1/store/status').set('X-HTTP-Method-Override', 'DELETE');
      expect(res.status, res.text).to.equal(400);
      expect(res.body.error).to.equal('invalid_request');
    });

    it('only the declared method is public', async function () {
      expect((await request(app).post('/v1/store/status')).status).to.equal(401);
      expectRefused(await call('post', '/v1/store/status', ['pet-admin']), 'no route rule allows this request');
    });
  });

  describe('no requirement, basePath of the settings, hand-written rules beside the document', function () {
    it('an operation with no security and no document default is denied, whatever the token grants', async function () {
      expectRefused(await call('delete', '/stock/items/abc', ['stock-reader', 'stock-writer'], 'inventory'), 'no route rule allows this request');
      expect((await call('get', '/stock/items/abc', ['stock-reader'], 'inventory')).status).to.equal(200);
    });

    it('basePath replaces the servers: /items is served at /stock/items only', async function () {
      expect((await call('get', '/stock/items', ['stock-reader'], 'inventory')).status).to.equal(200);
      expectRefused(await call('get', '/stock/items', ['stock-writer'], 'inventory'), 'this request needs the inventory:read permission', 'inventory:read');
    });

    it('a requirement without scopes takes any token of the application, and only of it', async function () {
      expect((await call('get', '/stock/items/abc/count', ['stock-writer'], 'inventory')).status).to.equal(200);
      const other = await call('get', '/stock/items/abc/count', ['pet-admin'], 'pets');
      expect(other.status).to.equal(401);
      expect(other.body.error).to.equal('invalid_token');
    });

    it('a hand-written rule of the same application still applies', async function () {
      expect((await call('get', '/v1/reports/daily', ['pet-admin'])).status).to.equal(200);
      expectRefused(await call('get', '/v1/reports/daily', ['pet-reader']), 'this request needs the pets:admin permission', 'pets:admin');
    });
  });

  it('hideCredentials removes the Authorization header on a public operation too', async function () {
    const hiding = express();
    hiding.use(portcullis.guard({ application: 'pets', hideCredentials: true }).middleware());
    hiding.use((req, res) => res.json({ authorization: req.headers.authorization ?? null }));
    const res = await request(hiding).get('/v1/store/status').set('Authorization', 'Bearer x');
    expect(res.status, res.text).to.equal(200);
    expect(res.body.authorization).to.equal(null);
  });
});
