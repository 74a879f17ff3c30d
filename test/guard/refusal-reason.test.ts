import { expect } from 'chai';
import request from 'supertest';
import { InsufficientScope, InvalidClient, InvalidRequest, InvalidToken, MissingToken, ServerError, TemporarilyUnavailable } from '../../src/errors/oauth-errors';
import express from 'express';
import { REFUSAL_REASONS, refusalReason, TOKEN_REFUSAL_REASONS } from '../../src/guard/refusal-reason';
import { outcomeOf } from '../../src/http/request-outcome';
import { existingState } from '../../src/http/request-state';
import { StoreUnavailableError } from '../../src/store/store';
import { signWithIssuerKey, validClaims } from '../helpers/forge-token';
import { createServiceClient, startTestServer, TEST_APPLICATIONS, type TestServer } from '../helpers/test-portcullis';

/** The guard's decision counts of this process, by "application result reason". */
async function decisions(server: TestServer): Promise<Map<string, number>> {
  const { values } = await server.portcullis.metrics.guardDecisions.counter.get();
  return new Map(values.map((v) => [`${v.labels.application} ${v.labels.result} ${v.labels.reason}`, v.value]));
}

describe('guard: every refusal carries one bounded reason code, counted in the metrics', () => {
  let server: TestServer;
  let reader: string;
  let readerClient: string;

  before(async () => {
    server = await startTestServer();
    const { clientId, clientSecret } = await createServiceClient(server);
    readerClient = clientId;
    reader = (await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send({ grant_type: 'client_credentials' })).body.access_token;
  });
  after(() => server.close());

  const forge = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) => signWithIssuerKey(server, claims, header);
  const seconds = () => Math.floor(server.now.ms / 1000);

  /** Each case: the request, the status the wire shows, the reason code counted. */
  const cases: Array<{ reason: string; status: number; send: () => Promise<request.Response> }> = [
    { reason: 'missing_token', status: 401, send: () => request(server.app).get('/echo/x') },
    { reason: 'invalid_request', status: 400, send: () => request(server.app).get('/echo/x').set('Authorization', 'Bearer') },
    { reason: 'malformed_token', status: 401, send: () => request(server.app).get('/echo/x').set('Authorization', 'Bearer not-a-jws') },
    { reason: 'expired', status: 401, send: async () => bearer(await forge({ ...validClaims(server, readerClient), iat: seconds() - 7200, exp: seconds() - 3600 })) },
    { reason: 'not_yet_valid', status: 401, send: async () => bearer(await forge({ ...validClaims(server, readerClient), nbf: seconds() + 3600 })) },
    { reason: 'bad_signature', status: 401, send: () => { const [h, p, s] = reader.split('.'); return bearer(`${h}.${p}.${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`); } },
    { reason: 'unknown_key', status: 401, send: async () => bearer(await forge(validClaims(server, readerClient), { kid: 'no-such-key' })) },
    { reason: 'invalid_claims', status: 401, send: async () => bearer(await forge(validClaims(server, readerClient), { typ: 'JWT' })) },
    { reason: 'wrong_audience', status: 401, send: async () => bearer(await forge({ ...validClaims(server, readerClient), aud: TEST_APPLICATIONS.billing.audience })) },
    { reason: 'unknown_client', status: 401, send: async () => bearer(await forge({ ...validClaims(server, 'ghost'), client_id: 'ghost', sub: 'ghost' })) },
    {
      reason: 'wrong_application', status: 401, send: async () => {
        const { clientId } = await createServiceClient(server, 'billing', ['billing-reader']);
        return bearer(await forge(validClaims(server, clientId)));
      },
    },
    { reason: 'user_disabled', status: 401, send: async () => bearer(await forge({ ...validClaims(server, readerClient), sub: 'no-such-user' })) },
    {
      reason: 'revoked', status: 401, send: async () => {
        const claims = validClaims(server, readerClient);
        await server.portcullis.revocations.revoke(claims.jti as string, claims.exp as number);
        return bearer(await forge(claims));
      },
    },
    {
      reason: 'client_disabled', status: 401, send: async () => {
        const { clientId } = await createServiceClient(server);
        await server.portcullis.clients.setStatus(clientId, 'disabled');
        return bearer(await forge(validClaims(server, clientId)));
      },
    },
    { reason: 'insufficient_scope', status: 403, send: () => request(server.app).post('/echo/x').set('Authorization', `Bearer ${reader}`) },
    {
      reason: 'no_route_rule', status: 403, send: async () => {
        const { clientId } = await createServiceClient(server, 'billing', ['billing-reader']);
        const token = await forge({ ...validClaims(server, clientId), aud: TEST_APPLICATIONS.billing.audience, roles: ['billing-reader'] });
        return request(server.app).delete('/billing/x').set('Authorization', `Bearer ${token}`);
      },
    },
  ];
  const bearer = (token: string) => request(server.app).get('/echo/x').set('Authorization', `Bearer ${token}`);

  for (const { reason, status, send } of cases) {
    it(`${reason}: answered ${status}, counted once under reason="${reason}" and nowhere else`, async () => {
      const before = await decisions(server);
      const res = await send();
      expect(res.status, res.text).to.equal(status);
      const after = await decisions(server);
      const moved = [...after].filter(([key, value]) => value !== (before.get(key) ?? 0)).map(([key, value]) => [key, value - (before.get(key) ?? 0)]);
      const application = res.req.path.startsWith('/billing') ? 'billing' : 'echo';
      expect(moved).to.deep.equal([[`${application} refused ${reason}`, 1]]);
    });
  }

  it('an allowed request is counted as reason="none"', async () => {
    const before = (await decisions(server)).get('echo allowed none') ?? 0;
    expect((await bearer(reader)).status).to.equal(200);
    expect((await decisions(server)).get('echo allowed none')).to.equal(before + 1);
  });

  it('records the decision on the request, for the access log: allowed, or refused with its reason', async () => {
    const seen: Array<{ application?: string; decision?: string; reason?: string }> = [];
    const app = express();
    // The record is the request context's (it starts the access log line); without one nothing reads it.
    app.use(server.portcullis.requestContext());
    app.use((req, res, next) => {
      res.on('finish', () => {
        const { application, decision, reason } = outcomeOf(req);
        seen.push({ application, decision, reason });
      });
      next();
    });
    app.use('/echo', server.portcullis.guard({ application: 'echo' }).middleware());
    app.all('/echo*', (_req, res) => res.json({}));
    app.get('/open', (_req, res) => res.json({}));
    await request(app).get('/echo/x').set('Authorization', `Bearer ${reader}`).expect(200);
    await request(app).post('/echo/x').set('Authorization', `Bearer ${reader}`).expect(403);
    await request(app).get('/echo/x').expect(401);
    await request(app).get('/open').expect(200);
    expect(seen).to.deep.equal([
      { application: 'echo', decision: 'allowed', reason: undefined },
      { application: 'echo', decision: 'refused', reason: 'insufficient_scope' },
      { application: 'echo', decision: 'refused', reason: 'missing_token' },
      { application: undefined, decision: undefined, reason: undefined },
    ]);
  });

  it('without a request context the guard notes no outcome (no access log reads one) and adds no state to the request', async () => {
    const seen: Array<object | undefined> = [];
    const app = express();
    app.use((req, res, next) => {
      res.on('finish', () => seen.push(existingState(req)));
      next();
    });
    app.use('/echo', server.portcullis.guard({ application: 'echo' }).middleware());
    app.all('/echo*', (_req, res) => res.json({}));
    await request(app).get('/echo/x').set('Authorization', `Bearer ${reader}`).expect(200);
    expect(seen).to.deep.equal([undefined]);
  });

  it('unavailable: the store is down, the refusal is 503 and counted under reason="unavailable" (last: it breaks the store)', async () => {
    const before = (await decisions(server)).get('echo refused unavailable') ?? 0;
    await server.portcullis.store.close();
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    expect((await bearer(reader)).status).to.equal(503);
    expect((await decisions(server)).get('echo refused unavailable')).to.equal(before + 1);
  });

  it('maps each refusal class in one place, and a token refusal by the reason it carries', () => {
    expect(refusalReason(new MissingToken('x'))).to.equal('missing_token');
    expect(refusalReason(new InvalidRequest('x'))).to.equal('invalid_request');
    expect(refusalReason(new InvalidToken('x', 'revoked'))).to.equal('revoked');
    expect(refusalReason(new InvalidToken('x'))).to.equal('invalid_token');
    expect(refusalReason(new InsufficientScope('x', 'echo:write'))).to.equal('insufficient_scope');
    expect(refusalReason(new InsufficientScope('x', ''))).to.equal('no_route_rule');
    expect(refusalReason(new StoreUnavailableError('get', new Error('down')))).to.equal('unavailable');
    expect(refusalReason(new TemporarilyUnavailable('x'))).to.equal('unavailable');
    expect(refusalReason(new ServerError('x'))).to.equal('error');
    expect(refusalReason(new InvalidClient('x'))).to.equal('error');
    expect(refusalReason(new Error('boom'))).to.equal('error');
    expect(REFUSAL_REASONS).to.include.members([...TOKEN_REFUSAL_REASONS]);
    expect(new Set(REFUSAL_REASONS).size).to.equal(REFUSAL_REASONS.length);
  });
});
