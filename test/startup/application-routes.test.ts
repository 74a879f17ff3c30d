import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { SettingsError } from '../../src/config/settings';
import { accessText } from '../../src/guard/route-rule';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { applicationRoutes } from '../../src/startup/application-routes';
import { tempDir } from '../helpers/gateway-process';
import { testSettings } from '../helpers/test-portcullis';

const PETSTORE = path.resolve(__dirname, '..', 'fixtures', 'openapi', 'petstore.yaml');
const ROLES = { reader: ['pets:read'], writer: ['pets:write'], admin: ['pets:admin'], owner: ['pets:own'], clerk: ['store:read', 'store:order'], users: ['users:read'] };

/** Settings with one application `pets` reading `document` (and, optionally, hand-written routes). */
function settingsFor(document: string, extra: Record<string, unknown> = {}, sqlitePath = ':memory:') {
  return testSettings({ store: { sqlitePath }, applications: { pets: { audience: 'urn:pets', roles: ROLES, openapi: { document }, ...extra } } });
}

/** The petstore fixture with `edit` applied, written to a temp file. */
function editedPetstore(edit: (doc: Record<string, any>) => void, name = 'petstore.yaml'): string {
  const doc = yaml.load(fs.readFileSync(PETSTORE, 'utf8')) as Record<string, any>;
  edit(doc);
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, name.endsWith('.json') ? JSON.stringify(doc) : yaml.dump(doc));
  return file;
}

/**
 * `Portcullis.open` refuses with a SettingsError matching `pattern`, and opened nothing: the SQLite
 * file it would have created (with a signing key in it) does not exist.
 */
async function refusesToOpen(document: string, pattern: RegExp): Promise<string> {
  const sqlite = path.join(tempDir(), 'portcullis.db');
  let error: unknown;
  try {
    const p = await Portcullis.open(settingsFor(document, {}, sqlite), { logger: createLogger('error', () => undefined) });
    await p.close();
  } catch (err) {
    error = err;
  }
  expect(error, 'Portcullis.open must refuse').to.be.instanceOf(SettingsError);
  const message = (error as Error).message;
  expect(message).to.match(pattern);
  expect(message).to.contain(`application "pets", openapi document ${document}`);
  expect(fs.existsSync(sqlite), 'nothing may be opened or written before the refusal').to.equal(false);
  return message;
}

describe('route rules of every application at start (src/startup/application-routes.ts)', function () {
  this.timeout(20_000);

  it('hand-written rules first, then the document\'s, in the guard\'s order', async function () {
    const routes = await applicationRoutes(settingsFor(PETSTORE, { routes: [{ methods: ['GET'], path: '/v1/pets/mine', permission: 'pets:admin' }] }));
    const pets = routes.get('pets')!;
    expect(pets[0]).to.deep.include({ path: '/v1/pets/mine', syntax: 'glob', source: 'routes[0]' });
    expect(accessText(pets[0].access)).to.equal('pets:admin');
    expect(pets.slice(1).map((r) => r.source)).to.include('openapi petstore.yaml: GET /pets/mine (listMyPets)');
    expect(pets).to.have.length(11);
  });

  it('an application without a document has its hand-written rules only', async function () {
    const routes = await applicationRoutes(testSettings());
    expect(routes.get('echo')!.map((r) => `${r.source} ${r.path} ${accessText(r.access)}`)).to.deep.equal(['routes[0] /echo/** echo:read', 'routes[1] /echo/** echo:write']);
  });

  it('the guard of the runtime enforces the document (a rule Portcullis.open read)', async function () {
    const p = await Portcullis.open(settingsFor(PETSTORE), { logger: createLogger('error', () => undefined) });
    try {
      const guard = p.guard({ application: 'pets' });
      const req = { method: 'GET', url: '/v1/store/status', headers: {} } as never;
      expect(await guard.check(req), 'a public operation checks nobody').to.equal(null);
    } finally {
      await p.close();
    }
  });

  describe('a bad document stops start-up, naming the application, the document and the operation', function () {
    it('a document that cannot be read', async function () {
      await refusesToOpen(path.join(tempDir(), 'missing.yaml'), /invalid OpenAPI document: .*cannot read the document/);
    });

    it('an invalid document (OpenAPI schema)', async function () {
      const file = editedPetstore((doc) => delete doc.info.version);
      await refusesToOpen(file, /not a valid OpenAPI document: .*#\/info must have required property 'version'/);
    });

    it('a scope that no role of the application grants', async function () {
      const file = editedPetstore((doc) => (doc.paths['/pets'].post.security = [{ petstore_auth: ['pets:wirte'] }]));
      await refusesToOpen(file, /POST \/pets \(createPet\): scope of security scheme "petstore_auth" is "pets:wirte", which no role of the application grants.*did you mean "pets:write"\?/);
    });

    it('an x-portcullis-permission that no role grants', async function () {
      const file = editedPetstore((doc) => (doc.paths['/store/inventory'].get['x-portcullis-permission'] = 'store:count'));
      await refusesToOpen(file, /GET \/store\/inventory \(getInventory\): x-portcullis-permission names "store:count", which no role of the application grants/);
    });

    it('a security scheme that is not oauth2 or openIdConnect, without x-portcullis-permission', async function () {
      const file = editedPetstore((doc) => delete doc.paths['/store/inventory'].get['x-portcullis-permission'], 'petstore.json');
      await refusesToOpen(file, /GET \/store\/inventory \(getInventory\): security scheme "api_key" is of type apiKey, which has no scopes the guard can check/);
    });

    it('a security requirement naming an undeclared scheme', async function () {
      const file = editedPetstore((doc) => (doc.security = [{ petstore: ['pets:read'] }]));
      const message = await refusesToOpen(file, /GET \/pets \(listPets\): security scheme "petstore" is not declared in components\.securitySchemes/);
      // Every operation that uses the default is named, not just the first.
      expect(message).to.match(/GET \/pets\/\{petId\} \(showPetById\): security scheme "petstore"/);
    });
  });
});
