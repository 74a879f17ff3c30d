import { expect } from 'chai';
import express, { type Application } from 'express';
import type { IncomingMessage } from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import request from 'supertest';
import { manifest } from '../../src/plugin/manifest';
import { closeRuntime, whenReady } from '../../src/plugin/runtime-holder';
import { installTokenLane, isTokenRequest } from '../../src/plugin/token-lane';
import { ISSUER, TEST_APPLICATIONS } from '../helpers/test-portcullis';

const FORM = 'application/x-www-form-urlencoded';

/** src/plugin/token-lane.ts: `POST /oauth2/token` ahead of Express, with the same answer on the wire. */
describe('the token lane', () => {
  describe('isTokenRequest', () => {
    const cases: Array<[string, string, boolean]> = [
      ['POST', '/oauth2/token', true],
      ['POST', '/oauth2/token?x=1', true],
      ['POST', '/oauth2/token?', true],
      ['GET', '/oauth2/token', false],
      ['OPTIONS', '/oauth2/token', false],
      ['POST', '/oauth2/tokens', false],
      ['POST', '/oauth2/token/', false],
      ['POST', '/OAUTH2/TOKEN', false],
      ['POST', '/oauth2/token#x', false],
      ['POST', '//oauth2/token', false],
      ['POST', '/oauth2/%74oken', false],
    ];
    for (const [method, url, expected] of cases) {
      it(`${method} ${url} -> ${expected ? 'the lane' : 'Express'}`, () => {
        expect(isTokenRequest({ method, url } as IncomingMessage)).to.equal(expected);
      });
    }
  });

  describe('installTokenLane', () => {
    function appWithLane(handler: (() => void) | undefined) {
      const app = express();
      app.use((_req, res, next) => {
        res.setHeader('X-Through', 'express');
        next();
      });
      app.post('/oauth2/token', (_req, res) => res.status(200).send('express'));
      installTokenLane(app, () => (handler ? (_req, res) => res.end('lane') : undefined));
      return app;
    }

    it('answers the exact path in the lane, before any middleware', async () => {
      const res = await request(appWithLane(() => undefined)).post('/oauth2/token?a=b');
      expect(res.text).to.equal('lane');
      expect(res.headers['x-through']).to.equal(undefined);
    });

    it('leaves every other request to Express, and the token path too while there is no handler', async () => {
      const app = appWithLane(() => undefined);
      expect((await request(app).post('/oauth2/token/')).text).to.equal('express');
      expect((await request(app).get('/oauth2/token')).status).to.equal(404);
      const closed = await request(appWithLane(undefined)).post('/oauth2/token');
      expect(closed.text).to.equal('express');
      expect(closed.headers['x-through']).to.equal('express');
    });
  });

  describe('in the gateway plugin', () => {
    const settings = { issuer: ISSUER, store: { sqlitePath: ':memory:' }, applications: TEST_APPLICATIONS };
    afterEach(() => closeRuntime());

    function gateway(config?: unknown): Application {
      const app = express();
      app.set('x-powered-by', false); // as Express Gateway's app
      manifest.init({ settings, registerPolicy: () => undefined, registerGatewayRoute: (r) => r(app), ...(config ? { config: { gatewayConfig: config } } : {}) } as Parameters<typeof manifest.init>[0]);
      return app;
    }

    /** Everything a client sees but the values that differ per answer (date, request id, the token). */
    function wire(res: request.Response) {
      const headers = Object.keys(res.headers).filter((h) => h !== 'date').sort();
      const body = typeof res.body === 'object' ? Object.keys(res.body).sort() : res.text;
      return { status: res.status, headers, cacheControl: res.headers['cache-control'], challenge: res.headers['www-authenticate'], body, error: res.body?.error };
    }

    async function both(app: Application, send: (path: string) => request.Test) {
      // Express routes the path case-insensitively to the same handler; only the exact one takes the lane.
      return { lane: await send('/oauth2/token'), express: await send('/OAuth2/Token') };
    }

    it('issues a token with the same answer as through Express, with the request context applied', async () => {
      const app = gateway();
      const portcullis = await whenReady();
      const { client, clientSecret } = await portcullis.clients.create({ name: 'lane', application: 'echo', roles: ['echo-reader'] });
      const send = (path: string) => request(app).post(path).auth(client.clientId, clientSecret!).type(FORM).send('grant_type=client_credentials');
      const { lane, express: viaExpress } = await both(app, send);
      expect(lane.status, lane.text).to.equal(200);
      expect(wire(lane)).to.deep.equal(wire(viaExpress));
      expect(lane.headers['cache-control']).to.equal('no-store');
      expect(lane.headers['x-request-id']).to.match(/^[0-9a-f-]{36}$/);
      const jwks = createLocalJWKSet((await request(app).get('/.well-known/jwks.json')).body);
      const { payload } = await jwtVerify(lane.body.access_token, jwks, { issuer: ISSUER, typ: 'at+jwt' });
      expect(payload.client_id).to.equal(client.clientId);
    });

    it('answers errors the same way: a wrong secret (401 with its challenge), a missing grant_type, a bad body', async () => {
      const app = gateway();
      const portcullis = await whenReady();
      const { client } = await portcullis.clients.create({ name: 'lane', application: 'echo', roles: ['echo-reader'] });
      const wrong = await both(app, (path) => request(app).post(path).auth(client.clientId, 'not-the-secret').type(FORM).send('grant_type=client_credentials'));
      expect(wrong.lane.status).to.equal(401);
      expect(wrong.lane.headers['www-authenticate']).to.match(/^Basic /);
      expect(wire(wrong.lane)).to.deep.equal(wire(wrong.express));
      const missing = await both(app, (path) => request(app).post(path).type(FORM).send('scope=x'));
      expect(missing.lane.body.error).to.equal('invalid_request');
      expect(missing.lane.body.request_id).to.equal(missing.lane.headers['x-request-id']);
      expect(wire(missing.lane)).to.deep.equal(wire(missing.express));
      const json = await both(app, (path) => request(app).post(path).type('application/json').send('{"grant_type":"client_credentials"}'));
      expect(json.lane.status).to.equal(400);
      expect(wire(json.lane)).to.deep.equal(wire(json.express));
    });

    it('is closed while the gateway configuration is refused: 503, as every other path', async () => {
      const app = gateway();
      await whenReady();
      const unsafe = { apiEndpoints: { open: { paths: '/open' } }, serviceEndpoints: { up: { url: 'http://127.0.0.1:1' } }, pipelines: { open: { apiEndpoints: ['open'], policies: [{ proxy: [{ action: { serviceEndpoint: 'up' } }] }] } } };
      manifest.init({ settings, registerPolicy: () => undefined, registerGatewayRoute: (r) => r(app), config: { gatewayConfig: unsafe } } as Parameters<typeof manifest.init>[0]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      const res = await request(app).post('/oauth2/token').type(FORM).send('grant_type=client_credentials');
      expect(res.status).to.equal(503);
      expect(res.body.error).to.equal('temporarily_unavailable');
    });
  });
});
