import { expect } from 'chai';
import request from 'supertest';
import type { ExplainReport } from '../../src/guard/explain/explain-request';
import { EXPLAIN_CHECKS, explainText } from '../../src/guard/explain/explain-request';
import { signWithIssuerKey, validClaims } from '../helpers/forge-token';
import { createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';

/**
 * `portcullis explain` in report mode on the guard's own parts: an allowed request, and each kind
 * of refusal, each naming the failing check; the guard's real answer agrees with the report.
 */
describe('explain: why was a request refused?', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function tokenFor(roles = ['echo-reader'], application = 'echo') {
    const { clientId, clientSecret } = await createServiceClient(server, application, roles);
    const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
    expect(res.status, res.text).to.equal(200);
    return { clientId, token: res.body.access_token as string };
  }

  const explain = (token: string, method: string, path: string, extra: { apiKey?: string; application?: string; guard?: Record<string, unknown> } = {}) =>
    server.portcullis.guard({ application: extra.application ?? 'echo', ...extra.guard }).explain({ token, method, path, apiKey: extra.apiKey });

  const step = (report: ExplainReport, check: string) => {
    const found = report.steps.find((s) => s.check === check);
    expect(found, `no step ${check} in ${JSON.stringify(report.steps)}`).to.not.equal(undefined);
    return found!;
  };

  /** The report and the guard agree, and the one failing check is `check` with `code`. */
  function refusedAt(report: ExplainReport, check: string, code: string) {
    expect(report.result).to.equal('refused');
    expect(report.guard?.result).to.equal('refused');
    const failed = report.steps.filter((s) => s.result === 'fail');
    expect(failed.map((s) => s.check), explainText(report)).to.include(check);
    expect(step(report, check).code).to.equal(code);
    expect(report.guard?.reason).to.equal(failed[0].code);
  }

  it('an allowed request: every check passes or has nothing to check, and says what it saw', async () => {
    const { clientId, token } = await tokenFor(['echo-reader']);
    const report = await explain(token, 'get', '/echo/items');
    expect(report.result).to.equal('allowed');
    expect(report.guard).to.deep.equal({ result: 'allowed' });
    expect(report.steps.map((s) => s.check)).to.deep.equal(['route', 'signature', 'claims', 'audience', 'client', 'deactivation', 'application', 'user', 'revocation', 'api key', 'permission']);
    expect(report.steps.filter((s) => s.result === 'fail')).to.deep.equal([]);
    expect(step(report, 'route').reason).to.equal('rule 1 (GET,HEAD /echo/**) needs echo:read');
    expect(step(report, 'signature').reason).to.match(/^signed by key \S+ \((RS|ES|PS|Ed)\w*\) of http:\/\/issuer\.test$/);
    expect(step(report, 'client').reason).to.equal(`client ${clientId} is active`);
    expect(step(report, 'user').result).to.equal('skip');
    expect(step(report, 'api key').result).to.equal('skip');
    expect(step(report, 'permission').reason).to.equal('needs echo:read; granted: echo:read; by roles echo-reader: echo:read');
    expect(explainText(report).split('\n')[0]).to.equal('GET /echo/items at echo: ALLOWED');
  });

  it('a missing permission names the permission needed and what each role grants', async () => {
    const { token } = await tokenFor(['echo-reader']);
    const report = await explain(token, 'POST', '/echo/items');
    refusedAt(report, 'permission', 'insufficient_scope');
    expect(step(report, 'permission').reason).to.equal('needs the echo:write permission; granted: echo:read; by roles echo-reader: echo:read');
  });

  it('no route rule', async () => {
    const { token } = await tokenFor();
    const report = await explain(token, 'GET', '/elsewhere');
    refusedAt(report, 'route', 'no_route_rule');
    expect(step(report, 'route').reason).to.equal('no route rule of echo covers GET /elsewhere: denied');
  });

  it('a token for another application: audience and application link both fail, the guard names the first', async () => {
    const { token } = await tokenFor(['billing-reader'], 'billing');
    const report = await explain(token, 'GET', '/echo/items');
    refusedAt(report, 'audience', 'wrong_audience');
    expect(step(report, 'application').code).to.equal('wrong_application');
    expect(step(report, 'application').reason).to.match(/linked to billing/);
  });

  it('a disabled client', async () => {
    const { clientId, token } = await tokenFor();
    await server.portcullis.clients.setStatus(clientId, 'disabled');
    const report = await explain(token, 'GET', '/echo/items');
    refusedAt(report, 'client', 'client_disabled');
    expect(step(report, 'client').reason).to.include(`client ${clientId} is disabled`);
  });

  it('a revoked token', async () => {
    const { token } = await tokenFor();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    await server.portcullis.revocations.revoke(claims.jti, claims.exp);
    const report = await explain(token, 'GET', '/echo/items');
    refusedAt(report, 'revocation', 'revoked');
  });

  it('a token signed by an unknown key, and an expired one', async () => {
    const { clientId } = await createServiceClient(server);
    const unknownKid = await signWithIssuerKey(server, validClaims(server, clientId), { kid: 'no-such-key' });
    const r1 = await explain(unknownKid, 'GET', '/echo/items');
    refusedAt(r1, 'signature', 'unknown_key');
    expect(step(r1, 'claims').result).to.equal('skip');
    expect(step(r1, 'client').result).to.equal('skip');

    const claims = validClaims(server, clientId);
    const expired = await signWithIssuerKey(server, { ...claims, iat: (claims.iat as number) - 7200, exp: (claims.iat as number) - 3600 });
    const r2 = await explain(expired, 'GET', '/echo/items');
    refusedAt(r2, 'claims', 'expired');
    expect(step(r2, 'signature').result).to.equal('pass');
  });

  it('with apiKey required: a missing, then a right key', async () => {
    const { clientId, token } = await tokenFor();
    const { apiKey } = await server.portcullis.apiKeys.issue(clientId);
    const missing = await explain(token, 'GET', '/echo/items', { guard: { apiKey: 'required' } });
    refusedAt(missing, 'api key', 'api_key_missing');
    const other = await explain(token, 'GET', '/echo/items', { guard: { apiKey: 'required' }, apiKey: 'pck_unknown' });
    refusedAt(other, 'api key', 'api_key_unknown');
    const right = await explain(token, 'GET', '/echo/items', { guard: { apiKey: 'required' }, apiKey });
    expect(right.result).to.equal('allowed');
    expect(right.guard?.result).to.equal('allowed');
    expect(step(right, 'api key').result).to.equal('pass');
  });

  it('takes extra checks as steps of their own (the list is extensible)', async () => {
    const { token } = await tokenFor();
    const report = await server.portcullis.guard({ application: 'echo' }).explain({ token, method: 'GET', path: '/echo/x' }, [
      ...EXPLAIN_CHECKS,
      async () => [{ check: 'extra', result: 'fail', code: 'extra', reason: 'an added check' }],
    ]);
    expect(report.result).to.equal('refused');
    expect(report.steps.at(-1)).to.deep.equal({ check: 'extra', result: 'fail', code: 'extra', reason: 'an added check' });
  });

  it('a role an admin made: the permission step names what it grants, as the guard decides', async () => {
    const actor = { type: 'cli' as const, id: 'test', name: 'cli:test', adminRole: 'super-admin' as const, from: 'cli' };
    await server.portcullis.admin.createRole(actor, 'echo', { name: 'partner-writer', permissions: ['echo:write'] });
    const { token } = await tokenFor(['partner-writer']);
    // The guard's role definitions are cached like client status: past the cache time they are read again.
    server.now.ms += server.portcullis.settings.cacheMs + 1;
    const report = await explain(token, 'post', '/echo/items');
    expect(report.result, explainText(report)).to.equal('allowed');
    expect(report.guard).to.deep.equal({ result: 'allowed' });
    expect(step(report, 'permission').reason).to.equal('needs echo:write; granted: echo:write; by roles partner-writer: echo:write');
  });
});
