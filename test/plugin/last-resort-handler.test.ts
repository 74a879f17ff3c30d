import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { installLastResort } from '../../src/plugin/last-resort-handler';
import { createLogger } from '../../src/logging/logger';

/** src/plugin/last-resort-handler.ts: what Express's final handler would have answered with an HTML page. */
describe('the gateway app\'s last-resort handler', () => {
  const logged: string[] = [];
  const app = express();
  app.set('env', 'development'); // finalhandler would print the stack trace here
  app.get('/boom', () => {
    throw new Error('secret detail at /opt/portcullis/src/x.ts:1');
  });
  app.get('/param/:id', (_req, res) => res.end('never'));
  app.post('/body', express.json(), (_req, res) => res.end('never'));
  installLastResort(app, () => ({ kind: 'endpoint', realm: 'portcullis', logger: createLogger('error', (line) => logged.push(line)) }));

  function expectJson(res: request.Response, status: number, error: string): void {
    expect(res.status, res.text).to.equal(status);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body.error).to.equal(error);
    expect(res.body.request_id).to.equal(res.headers['x-request-id']);
    expect(res.text).to.not.match(/\n\s+at |\.ts:\d+|Error|\/opt\/|<html/);
  }

  it('an uncaught error -> 500 server_error without its message; the log has the cause', async () => {
    const res = await request(app).get('/boom');
    expectJson(res, 500, 'server_error');
    expect(res.body.error_description).to.equal('The server could not complete the request.');
    expect(logged.join('\n')).to.include('secret detail');
  });

  it('a route parameter Express cannot decode -> 400 invalid_request', async () => {
    expectJson(await request(app).get('/param/%zz'), 400, 'invalid_request');
  });

  it('a body parser error (4xx) -> 400 invalid_request', async () => {
    expectJson(await request(app).post('/body').set('Content-Type', 'application/json').send('{"a":'), 400, 'invalid_request');
  });

  it('no route -> 404 not_found', async () => {
    expectJson(await request(app).get('/nothing/here'), 404, 'not_found');
  });
});
