import { expect } from 'chai';
import express from 'express';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import request from 'supertest';
import { routeRows, routesTable } from '../../src/cli/routes-command';
import { resolveSettings } from '../../src/config/settings';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import { portcullisRouter } from '../../src/runtime/portcullis-router';
import { SqliteStore } from '../../src/store/sqlite-store';
import { applicationRoutes } from '../../src/startup/application-routes';
import { tempDir } from '../helpers/gateway-process';

/**
 * docs/api-owner-guide.md "Permissions from OpenAPI" runs as written: its document and settings
 * give the `portcullis routes` table it shows, and the requests it shows get the answers it says.
 */
const GUIDE = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'api-owner-guide.md'), 'utf8');
const SECTION = GUIDE.split('\n## Permissions from OpenAPI\n')[1]?.split('\n## ')[0] ?? '';

/** The fenced code blocks of the section with this info string (`yaml`, `sh`, '' for none), in order. */
function blocks(lang: string): string[] {
  const found: string[] = [];
  let open: { lang: string; lines: string[] } | undefined;
  for (const line of SECTION.split('\n')) {
    const fence = /^\s*```(\w*)\s*$/.exec(line);
    if (fence && !open) open = { lang: fence[1], lines: [] };
    else if (fence && open) {
      if (open.lang === lang) found.push(open.lines.join('\n') + '\n');
      open = undefined;
    } else open?.lines.push(line);
  }
  return found;
}

describe('docs: the "Permissions from OpenAPI" example runs as written', function () {
  this.timeout(20_000);
  let home: string;
  let raw: Record<string, unknown>;

  before(function () {
    const [document, settings] = blocks('yaml');
    expect(document, 'the OpenAPI document block').to.match(/^# config\/pets\.yaml\n/);
    home = tempDir();
    fs.mkdirSync(path.join(home, 'config'));
    fs.writeFileSync(path.join(home, 'config', 'pets.yaml'), document);
    raw = (yaml.load(settings) as { plugins: { portcullis: Record<string, unknown> } }).plugins.portcullis;
  });

  const settings = () => resolveSettings({ issuer: 'http://localhost:8080', store: { sqlitePath: ':memory:' }, ...raw }, home);

  it('the table `portcullis routes --application pets` shows', async function () {
    const shown = blocks('').find((b) => b.startsWith('APPLICATION'));
    expect(shown, 'the routes table block').to.be.a('string');
    expect(routesTable(routeRows(await applicationRoutes(settings()), 'pets'))).to.equal(shown!.trimEnd());
  });

  it('the answers the curl lines show', async function () {
    const portcullis = await Portcullis.open(settings(), { store: new SqliteStore({ path: ':memory:' }), logger: createLogger('error', () => undefined) });
    try {
      const app = express();
      app.use(portcullisRouter(portcullis));
      app.use('/v1', portcullis.guard({ application: 'pets' }).middleware());
      app.use((_req, res) => res.json({ ok: true }));
      const token = async (role: string) => {
        const { client, clientSecret } = await portcullis.clients.create({ name: role, application: 'pets', roles: [role] });
        const res = await request(app).post('/oauth2/token').auth(client.clientId, clientSecret!).type('form').send('grant_type=client_credentials');
        return `Bearer ${res.body.access_token}`;
      };
      const reader = await token('pet-reader');
      const keeper = await token('pet-keeper');
      expect((await request(app).get('/v1/status')).status).to.equal(200);
      expect((await request(app).get('/v1/pets/7').set('Authorization', reader)).status).to.equal(200);
      const refused = await request(app).delete('/v1/pets/7').set('Authorization', reader);
      expect(refused.status).to.equal(403);
      expect(SECTION).to.contain(`403 insufficient_scope: "${refused.body.error_description}"`);
      expect((await request(app).delete('/v1/pets/7').set('Authorization', keeper)).status).to.equal(200);
      expect((await request(app).get('/v1/pets/7/x').set('Authorization', reader)).status).to.equal(403);
    } finally {
      await portcullis.close();
    }
  });

  it('the start-up error it shows is the one a misspelt scope gives', async function () {
    const file = path.join(home, 'config', 'pets.yaml');
    const good = fs.readFileSync(file, 'utf8');
    try {
      fs.writeFileSync(file, good.replace('- oauth: [pets:write]\n      responses:\n        \'201\'', '- oauth: [pets:wirte]\n      responses:\n        \'201\''));
      const error = await applicationRoutes(settings()).then(() => undefined, (err: Error) => err.message);
      const shown = /error: (invalid OpenAPI document: .*)/.exec(SECTION)![1];
      expect(error).to.equal(shown.replace('/srv/portcullis/config/pets.yaml', file));
    } finally {
      fs.writeFileSync(file, good);
    }
  });
});
