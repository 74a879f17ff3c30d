import Ajv2020 from 'ajv/dist/2020';
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import request from 'supertest';
import { adminApiRouter } from '../../src/admin/api/admin-api-router';
import { API, automationClient, makeUser, type AutomationClient } from '../helpers/admin-session';
import { REDIRECT_URI } from '../helpers/browser-flow';
import { ISSUER, startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * The OpenAPI 3.1 document of the admin API (GET /admin/api/v1/openapi.json) against the real
 * Express router: the document is well formed, lists every route the router really registers,
 * and everything it lists answers (no "no admin API route" 404) with a documented status.
 */

type Doc = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  security?: Array<Record<string, string[]>>;
};
type Operation = {
  summary?: string;
  operationId?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: unknown }>;
  requestBody?: { required?: boolean; content: Record<string, { schema: { type: string; properties: Record<string, unknown>; required?: string[]; additionalProperties?: boolean } }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The parts of the OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema) this document uses,
 * checked with Ajv's JSON Schema 2020-12 (the dialect of OpenAPI 3.1).
 */
const OAS31_SUBSET = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+(-.+)?$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string', minLength: 1 }, version: { type: 'string', minLength: 1 }, description: { type: 'string' } } },
    servers: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } } },
    security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
    components: {
      type: 'object',
      properties: {
        schemas: { type: 'object', additionalProperties: { type: ['object', 'boolean'] } },
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
            allOf: [
              { if: { properties: { type: { const: 'http' } } }, then: { required: ['scheme'] } },
              { if: { properties: { type: { const: 'apiKey' } } }, then: { required: ['name', 'in'], properties: { in: { enum: ['query', 'header', 'cookie'] } } } },
            ],
          },
        },
      },
    },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: [...METHODS, 'summary', 'description', 'parameters', 'servers', '$ref'] },
        additionalProperties: {
          type: 'object',
          required: ['responses'],
          properties: {
            summary: { type: 'string' },
            operationId: { type: 'string' },
            parameters: {
              type: 'array',
              items: {
                type: 'object', required: ['name', 'in'],
                properties: { name: { type: 'string' }, in: { enum: ['query', 'header', 'path', 'cookie'] }, required: { type: 'boolean' } },
                if: { properties: { in: { const: 'path' } } }, then: { required: ['required'], properties: { required: { const: true } } },
              },
            },
            requestBody: { type: 'object', required: ['content'], properties: { content: { type: 'object', minProperties: 1 }, required: { type: 'boolean' } } },
            responses: {
              type: 'object', minProperties: 1,
              propertyNames: { pattern: '^([1-5](\\d\\d|XX)|default)$' },
              additionalProperties: { type: 'object', required: ['description'], properties: { description: { type: 'string' }, content: { type: 'object' } } },
            },
          },
        },
      },
    },
  },
};

/** Every `$ref` in the document, which must point inside it. */
function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  expect(ref, ref).to.match(/^#\//);
  return ref.slice(2).split('/').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

/** The routes the real admin API router registers, as `METHOD /path/{param}`. */
function routerRoutes(router: ReturnType<typeof adminApiRouter>): string[] {
  const found: string[] = [];
  for (const layer of router.stack as Array<{ route?: { path: string; methods: Record<string, boolean> } }>) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all')) {
      found.push(`${method.toUpperCase()} ${layer.route.path.replace(/:(\w+)/g, '{$1}')}`);
    }
  }
  return found;
}

const documented = (doc: Doc) => Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${path}`));

describe('admin API: the OpenAPI 3.1 document', function () {
  let server: TestServer;
  let doc: Doc;
  let bot: AutomationClient;

  before(async () => {
    server = await startTestServer();
    bot = await automationClient(server, 'super-admin');
    const res = await request(server.app).get(`${API}/openapi.json`);
    expect(res.status, res.text).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    doc = res.body;
  });
  after(() => server?.close());

  it('is OpenAPI 3.1.0 with info, servers pointing at this issuer, and paths', () => {
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.info.title).to.be.a('string').and.not.be.empty;
    expect(doc.info.version).to.be.a('string').and.not.be.empty;
    expect(doc.servers).to.deep.equal([{ url: `${ISSUER}/admin/api/v1` }]);
    expect(doc.paths).to.be.an('object');
    expect(Object.keys(doc.paths)).to.not.be.empty;
  });

  it('is readable without signing in (it describes how to sign in)', async () => {
    const res = await request(server.app).get(`${API}/openapi.json`).set('Authorization', 'Bearer garbage');
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
  });

  it('validates against the OpenAPI 3.1 structure (JSON Schema 2020-12, Ajv)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(OAS31_SUBSET);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).to.equal(true);
  });

  it('validates against the official OpenAPI 3.1 schema (openapi-spec-validator), where python3 has it', function () {
    const probe = spawnSync('python3', ['-c', 'import openapi_spec_validator'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) return this.skip();
    const script = 'import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(sys.stdin))\nprint("ok")';
    expect(execFileSync('python3', ['-c', script], { input: JSON.stringify(doc), encoding: 'utf8' }).trim()).to.equal('ok');
  });

  it('every $ref resolves, operationIds are unique, every {param} of a path is a required path parameter', () => {
    for (const ref of refs(doc)) expect(resolvePointer(doc, ref), ref).to.be.an('object');
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(ids.every((id) => typeof id === 'string' && id.length > 0)).to.equal(true);
    expect(new Set(ids).size).to.equal(ids.length);
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(item)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name), `${method} ${path}`).to.have.members(names);
        for (const p of declared) expect(p.required, `${method} ${path} ${p.name}`).to.equal(true);
        expect(Object.keys(op.responses), `${method} ${path}`).to.include.members(['401', '403']);
      }
    }
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    for (const requirement of doc.security ?? []) for (const name of Object.keys(requirement)) expect(schemes).to.include(name);
  });

  it('every route registered on the real Express router (but /openapi.json) is in the document with its method', () => {
    const registered = routerRoutes(adminApiRouter(server.portcullis)).filter((r) => r !== 'GET /openapi.json');
    expect(registered.length).to.be.above(10);
    const inDoc = documented(doc);
    for (const route of registered) expect(inDoc, `${route} is registered but not documented`).to.include(route);
    expect(inDoc).to.have.members(registered);
  });

  describe('every documented path and method exists (super-admin bearer token, real ids)', () => {
    let appId: string;
    let userId: string;
    /** A role of echo made by an admin (the DELETE of the first test removes it). */
    let role: string;

    before(async () => {
      role = `documented-${Date.now()}`;
      await server.portcullis.roles.create('echo', { name: role, permissions: ['echo:read'] });
      appId = (await server.portcullis.clients.create({ name: 'documented app', application: 'echo', type: 'web', redirectUris: [REDIRECT_URI] })).client.clientId;
      userId = (await makeUser(server)).userId;
    });

    /** A request body the operation accepts, built from the documented schema. */
    function bodyFor(method: string, path: string): Record<string, unknown> | undefined {
      if (method === 'post' && path === '/apps') return { name: 'from the document', application: 'echo', type: 'web', redirect_uris: [REDIRECT_URI] };
      if (method === 'post' && path === '/users') return { username: `doc${Date.now()}`, password: 'a long enough password' };
      if (method === 'post' && path.endsWith('/roles')) return { name: `doc-${Date.now()}`, permissions: ['echo:read'] };
      if (method === 'patch' && path.includes('/roles/')) return { description: 'Patched from the document' };
      if (method === 'patch') return { name: 'Patched from the document' };
      return undefined;
    }

    /** A documented path with real ids. */
    const realPath = (path: string) => path.replace('{id}', path.startsWith('/users') ? userId : appId).replace('{application}', 'echo').replace('{role}', role);

    it('each answers with a documented status, never the API\'s 404 "no admin API route"', async () => {
      const answered: string[] = [];
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const real = realPath(path);
          let test = (request(server.app) as unknown as Record<string, (url: string) => request.Test>)[method](`${API}${real}`).set('Authorization', `Bearer ${bot.token}`);
          const body = bodyFor(method, path);
          if (body) test = test.send(body);
          const res = await test;
          expect(res.body?.error_description ?? '', `${method} ${path}`).to.not.match(/^no admin API route/);
          expect(res.status, `${method.toUpperCase()} ${path}: ${res.text}`).to.not.equal(404);
          expect(Object.keys(op.responses), `${method.toUpperCase()} ${path} answered ${res.status}`).to.include(String(res.status));
          expect(res.status, `${method.toUpperCase()} ${path}: ${res.text}`).to.be.below(300);
          answered.push(`${method.toUpperCase()} ${path}`);
        }
      }
      expect(answered).to.have.members(documented(doc));
    });

    it('a request body may hold exactly the documented properties: each is accepted, anything else is refused as unknown', async () => {
      for (const [path, item] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(item)) {
          const schema = op.requestBody?.content['application/json']?.schema;
          if (!schema) continue;
          expect(schema.additionalProperties, `${method} ${path}`).to.equal(false);
          const real = `${API}${realPath(path)}`;
          const send = (body: Record<string, unknown>) => (request(server.app) as unknown as Record<string, (url: string) => request.Test>)[method](real).set('Authorization', `Bearer ${bot.token}`).send(body);
          for (const property of Object.keys(schema.properties)) {
            // A value of the wrong type, so nothing is changed: the answer must be about its value, not "unknown field".
            const res = await send({ [property]: 12345 });
            expect(res.status, `${method} ${path} ${property}: ${res.text}`).to.be.oneOf([400, 422]);
            expect(res.body.error_description, `${method} ${path} ${property}`).to.not.match(/^unknown field/);
          }
          const unknown = await send({ not_documented: true });
          expect(unknown.status, `${method} ${path}`).to.equal(422);
          expect(unknown.body.field).to.equal('not_documented');
          for (const required of schema.required ?? []) {
            const full = bodyFor(method, path)!;
            const { [required]: _left, ...rest } = full;
            const res = await send(rest);
            expect(res.status, `${method} ${path} without ${required}: ${res.text}`).to.equal(422);
            expect(res.body.field).to.equal(required);
          }
        }
      }
    });
  });
});
