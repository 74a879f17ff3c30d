import { expect } from 'chai';
import request from 'supertest';
import { API, automationClient, makeUser, pageCsrf, signedIn, type AutomationClient } from '../helpers/admin-session';
import { query, type Agent } from '../helpers/browser-flow';
import { ISSUER, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { expectNoInternals } from '../helpers/wire-expect';
import { eachStore } from '../helpers/each-store';

/**
 * Names from requests that are also members of every JavaScript object (`__proto__`,
 * `constructor`, `toString`): looked up in a plain object they find Object.prototype, not
 * nothing. Each is an unknown name like any other: a 422 naming the field, never a 500, and
 * never an error body whose `field` is an object.
 */
const MEMBER_NAMES = ['__proto__', 'constructor', 'toString'];

eachStore('Names that are members of every JavaScript object', (backend) => {
  let server: TestServer;
  let admin: Agent;
  let bot: AutomationClient;

  before(async () => {
    server = await startTestServer({ store: backend });
    admin = await signedIn(server, await makeUser(server, { adminRole: 'super-admin' }));
    bot = await automationClient(server, 'super-admin');
  });
  after(() => server.close());

  describe('admin pages: the roles of a new user (application:role)', () => {
    for (const name of MEMBER_NAMES) {
      it(`roles=${name}:echo-reader -> 422 page naming the unknown application, and no user is created`, async () => {
        const form = await admin.get('/admin/users/new');
        expect(form.status, form.text).to.equal(200);
        const username = `member${name.replace(/_/g, '')}`;
        const res = await admin
          .post('/admin/users')
          .type('form')
          .set('Origin', ISSUER)
          .send(query({ csrf_token: pageCsrf(form.text), username, password: 'a long enough password', roles: `${name}:echo-reader` }));
        expect(res.status, res.text).to.equal(422);
        expect(res.headers['content-type']).to.match(/^text\/html/);
        expect(res.text).to.match(/unknown application/);
        expectNoInternals(res.text);
        expect((await server.portcullis.admin.listUsers()).map((u) => u.username)).not.to.include(username);
      });
    }
  });

  describe('admin API: an unknown field', () => {
    for (const name of MEMBER_NAMES) {
      it(`{"${name}": ...} -> 422 invalid_field with field "${name}" (a string)`, async () => {
        const res = await request(server.app)
          .post(`${API}/apps`)
          .set('Authorization', `Bearer ${bot.token}`)
          .set('Content-Type', 'application/json')
          .send(`{"${name}":{"admin_role":"super-admin"},"name":"m","application":"echo","type":"service"}`);
        expect(res.status, res.text).to.equal(422);
        expect(res.body).to.include({ error: 'invalid_field', error_description: `unknown field ${name}`, field: name });
      });
    }
  });
});
