import { expect } from 'chai';
import request from 'supertest';
import { API, automationClient, type AutomationClient } from '../helpers/admin-session';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 8259 §4: "The names within an object SHOULD be unique"; with duplicates, what a receiver
 * does is unpredictable. JSON.parse keeps the last value, while a proxy, a WAF or an audit tool in
 * front of the admin API may read the first, so `{"admin_role":null,"admin_role":"super-admin"}`
 * would mean two things. The admin API refuses a repeated name as the form endpoints refuse a
 * repeated parameter: 400 invalid_json, nothing created or changed.
 */
eachStore('RFC 8259 §4: the admin API refuses a JSON object with a repeated name', (backend) => {
  let server: TestServer;
  let bot: AutomationClient;

  before(async () => {
    server = await startTestServer({ store: backend });
    bot = await automationClient(server, 'super-admin');
  });
  after(() => server.close());

  const send = (method: 'post' | 'patch', path: string, text: string) =>
    request(server.app)[method](`${API}${path}`).set('Authorization', `Bearer ${bot.token}`).set('Content-Type', 'application/json').send(text);

  const REPEATED: Array<[string, string]> = [
    ['a top-level name twice', '{"name":"first","application":"echo","type":"service","name":"second"}'],
    ['the same name spelled with an escape', '{"name":"first","application":"echo","type":"service","n\\u0061me":"second"}'],
    ['a name twice in a nested object', '{"username":"dupe-nested","password":"a long enough password","roles":{"echo":["echo-reader"],"echo":[]}}'],
  ];

  for (const [label, text] of REPEATED) {
    it(`${label} -> 400 invalid_json, nothing created`, async () => {
      const before = (await server.portcullis.admin.listApps()).length + (await server.portcullis.admin.listUsers()).length;
      const res = await send('post', text.includes('username') ? '/users' : '/apps', text);
      expect(res.status, res.text).to.equal(400);
      expect(res.headers['cache-control']).to.equal('no-store');
      expect(res.body).to.include({ error: 'invalid_json', error_description: 'the request body has the same field name twice in one object' });
      const after = (await server.portcullis.admin.listApps()).length + (await server.portcullis.admin.listUsers()).length;
      expect(after).to.equal(before);
    });
  }

  it('PATCH with a repeated name -> 400 invalid_json, the app unchanged', async () => {
    const created = await send('post', '/apps', '{"name":"kept","application":"echo","type":"service"}');
    expect(created.status, created.text).to.equal(201);
    const res = await send('patch', `/apps/${created.body.client_id}`, '{"name":"one","name":"two"}');
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error).to.equal('invalid_json');
    expect((await server.portcullis.admin.getApp(created.body.client_id)).name).to.equal('kept');
  });

  it('controls: the same name in two different objects, equal array items, and a value that looks like a name all pass', async () => {
    const res = await send('post', '/users', '{"username":"dupe-control","password":"a long enough password","name":"\\"username\\": twice","roles":{"echo":["echo-reader","echo-reader"],"billing":["billing-reader"]}}');
    expect(res.status, res.text).to.equal(201);
    const nested = await send('post', '/apps', '{"name":"n","application":"echo","type":"web","redirect_uris":["https://a.example/cb"],"description":"{\\"name\\":1}"}');
    expect(nested.status, nested.text).to.equal(201);
  });
});
