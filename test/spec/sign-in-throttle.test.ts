import { expect } from 'chai';
import request from 'supertest';
import { authorizeParams, formFields, locationOf, query, startAuthorization, startFlowServer, type FlowApp, type FlowUser } from '../helpers/browser-flow';
import { expectPage } from '../helpers/wire-expect';
import type { TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * Password guessing at `POST /login` (RFC 6749 §10.10 / RFC 9700 §4.6 credential guessing): the
 * sign-in throttle shares the failure counter of client authentication, so a burst of parallel
 * guesses is counted before any password is checked, and the 429 says how long to wait
 * (`Retry-After`, RFC 6585 §4). Defaults: 5 failures per username, 300-second lock.
 */
eachStore('Sign-in throttling against parallel guessing', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend }));
  });
  afterEach(() => server.close());

  it('20 parallel wrong passwords: at most 5 are checked (401), the rest get 429 with Retry-After', async () => {
    const agent = request.agent(server.app);
    const page = await agent.get(locationOf(await startAuthorization(agent, authorizeParams(web))));
    const fields = formFields(page.text);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      agent.post('/login').type('form').send(query({ ...fields, username: user.username, password: `wrong password ${i}` }))));
    expect(answers.filter((r) => r.status === 401)).to.have.length(5);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused).to.have.length(15);
    for (const res of refused) {
      expectPage(res, 429);
      expect(res.headers['retry-after']).to.match(/^[1-9]\d*$/);
      expect(Number(res.headers['retry-after'])).to.be.at.most(300);
    }
    const right = await agent.post('/login').type('form').send(query({ ...fields, username: user.username, password: user.password }));
    expectPage(right, 429);
    expect(right.headers['retry-after']).to.equal('300');
  });

  it('the username is counted as the account it names: spellings with other letter case or surrounding whitespace share one counter', async () => {
    const agent = request.agent(server.app);
    const page = await agent.get(locationOf(await startAuthorization(agent, authorizeParams(web))));
    const fields = formFields(page.text);
    const name = user.username;
    const spellings = [name, ` ${name}`, `${name} `, `  ${name}`, name.toUpperCase(), `\t${name}`, `${name}\t`, ` ${name.toUpperCase()} `];
    const answers = [];
    // One after the other: each spelling signs in to the same account (the registry trims and
    // lowercases), so each failure must count against that account.
    for (const [i, spelling] of spellings.entries()) {
      answers.push(await agent.post('/login').type('form').send(query({ ...fields, username: spelling, password: `wrong password ${i}` })));
    }
    expect(answers.map((r) => r.status)).to.deep.equal([401, 401, 401, 401, 401, 429, 429, 429]);
    const right = await agent.post('/login').type('form').send(query({ ...fields, username: name, password: user.password }));
    expectPage(right, 429);
  });
});
