import { expect } from 'chai';
import request from 'supertest';
import { formFields, query } from '../helpers/browser-flow';
import { parseExposition, valueOf, type Exposition } from '../helpers/prometheus-text';
import { createServiceClient, startTestServer, testSettings, type TestServer } from '../helpers/test-portcullis';

/** Throttled client authentications and sign-ins are counted apart from plain failures. */
describe('metrics: client authentication and sign-in throttles', () => {
  let server: TestServer;
  const scrape = async (): Promise<Exposition> => parseExposition((await server.portcullis.metrics.scrape()).body);

  before(async () => {
    server = await startTestServer({ settings: testSettings({ clientAuthentication: { maxFailures: 2 }, signIn: { maxFailures: 1 } }) });
  });
  after(() => server.close());

  it('counts client authentication failures, then the throttled attempts (429 slow_down) under their own result', async () => {
    const { clientId } = await createServiceClient(server);
    const before = await scrape();
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await request(server.app).post('/oauth2/token').auth(clientId, 'wrong').type('form').send({ grant_type: 'client_credentials' })).status);
    expect(statuses).to.deep.equal([401, 401, 429, 429]);
    const after = await scrape();
    const delta = (labels: Record<string, string>, name = 'portcullis_client_authentications_total') => valueOf(after, name, labels) - valueOf(before, name, labels);
    expect(delta({ result: 'failure' })).to.equal(2);
    expect(delta({ result: 'throttled' })).to.equal(2);
    expect(delta({ grant: 'client_credentials', result: 'slow_down' }, 'portcullis_token_requests_total')).to.equal(2);
    expect(delta({ grant: 'client_credentials', result: 'invalid_client' }, 'portcullis_token_requests_total')).to.equal(2);
  });

  it('counts sign-in failures, then the throttled sign-ins (429) under their own result', async () => {
    const agent = request.agent(server.app);
    const before = await scrape();
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const form = await agent.get('/login');
      statuses.push((await agent.post('/login').type('form').send(query({ ...formFields(form.text), username: 'someone', password: 'guess' }))).status);
    }
    expect(statuses).to.deep.equal([401, 429, 429]);
    const after = await scrape();
    const delta = (result: string) => valueOf(after, 'portcullis_sign_ins_total', { result }) - valueOf(before, 'portcullis_sign_ins_total', { result });
    expect(delta('failure')).to.equal(1);
    expect(delta('throttled')).to.equal(2);
    expect(delta('success')).to.equal(0);
  });
});
