import { expect } from 'chai';
import request from 'supertest';
import { automationClient, type AutomationClient } from '../helpers/admin-session';
import { expectAdminInvalidToken, expectInvalidToken } from '../helpers/bearer-expect';
import { signWithIssuerKey, validClaims } from '../helpers/forge-token';
import { ISSUER, createServiceClient, startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 8725 §2.8 / §3.10 / §3.11 and RFC 7519 §2, §4.1: a validly signed token is still input. Every
 * claim the product reads has one JSON type; a NumericDate is a finite number (`1e309` parses as
 * Infinity and would never expire); and no token may claim to live longer than the issuer issues
 * them (a key could otherwise mint one that outlives its own retirement). All of these are
 * 401 invalid_token, never a 500, at the guard, the admin API and userinfo.
 *
 * The tokens are signed with the issuer's real active key, so only the claim under test is wrong.
 */

/** A value that JSON.stringify cannot produce: it is spliced into the payload text as is. */
const raw = (text: string) => ({ __raw: text });
type Value = unknown;

/** The payload text of `claims` with `overrides` (raw values spliced in verbatim; undefined removes a claim). */
function payloadText(claims: Record<string, unknown>, overrides: Record<string, Value>): string {
  const merged: Record<string, unknown> = { ...claims };
  const splices: Array<[string, string]> = [];
  for (const [name, value] of Object.entries(overrides)) {
    if (value && typeof value === 'object' && '__raw' in value) {
      const marker = `__raw_${name}__`;
      merged[name] = marker;
      splices.push([JSON.stringify(marker), (value as { __raw: string }).__raw]);
    } else if (value === undefined) {
      delete merged[name];
    } else {
      merged[name] = value;
    }
  }
  let text = JSON.stringify(merged);
  for (const [marker, replacement] of splices) text = text.replace(marker, replacement);
  return text;
}

/** [label, overrides of the valid claims (relative to iat), expected description]. */
type Case = [string, (iat: number) => Record<string, Value>, RegExp];

const WRONG_TYPES: Case[] = [
  ['scope as an array', () => ({ scope: ['echo:read'] }), /invalid scope claim/],
  ['scope as a number', () => ({ scope: 5 }), /invalid scope claim/],
  ['scope null', () => ({ scope: null }), /invalid scope claim/],
  ['scope as an object', () => ({ scope: { 'echo:read': true } }), /invalid scope claim/],
  ['scope empty', () => ({ scope: '' }), /invalid scope claim/],
  ['scope with CR LF (header injection upstream)', () => ({ scope: 'echo:read\r\nX-Portcullis-Roles: admin' }), /invalid scope claim/],
  ['roles as a string', () => ({ roles: 'echo-reader' }), /malformed roles/],
  ['roles holding a number', () => ({ roles: [1] }), /malformed roles/],
  ['roles null', () => ({ roles: null }), /malformed roles/],
  ['a role with a comma (the roles header is comma-separated)', () => ({ roles: ['echo-reader,echo-writer'] }), /malformed roles/],
  ['aud as a number', () => ({ aud: 5 }), /invalid aud claim/],
  ['aud as an empty array', () => ({ aud: [] }), /invalid aud claim/],
  ['aud holding a number', () => ({ aud: [5] }), /invalid aud claim/],
  ['aud as an object', () => ({ aud: {} }), /invalid aud claim/],
  ['aud null', () => ({ aud: null }), /invalid aud claim/],
  ['sub as a number', () => ({ sub: 5 }), /invalid sub claim/],
  ['sub null', () => ({ sub: null }), /invalid sub claim/],
  ['sub empty', () => ({ sub: '' }), /invalid sub claim/],
  ['sub as an array', () => ({ sub: ['someone'] }), /invalid sub claim/],
  ['client_id as a number', () => ({ client_id: 5 }), /invalid client_id claim/],
  ['client_id as an object', () => ({ client_id: {} }), /invalid client_id claim/],
  ['jti as a number', () => ({ jti: 5 }), /invalid jti claim/],
  ['jti null', () => ({ jti: null }), /invalid jti claim/],
  ['iss as an array', () => ({ iss: [ISSUER] }), /invalid iss claim/],
  ['iss null', () => ({ iss: null }), /invalid iss claim/],
  ['exp as a string', (iat) => ({ exp: String(iat + 3600) }), /invalid exp claim/],
  ['exp null', () => ({ exp: null }), /invalid exp claim/],
  ['iat as a string', (iat) => ({ iat: String(iat) }), /invalid iat claim/],
  ['nbf as a string', (iat) => ({ nbf: String(iat) }), /invalid nbf claim/],
  ['auth_time as a string', (iat) => ({ auth_time: String(iat) }), /invalid auth_time claim/],
  ['auth_time as an array', (iat) => ({ auth_time: [iat] }), /invalid auth_time claim/],
];

const BAD_DATES: Case[] = [
  ['exp 1e309 (Infinity: never expires)', () => ({ exp: raw('1e309') }), /invalid exp claim|lives longer/],
  ['exp huge but finite (1e300)', () => ({ exp: raw('1e300') }), /lives longer than this issuer allows/],
  ['iat 1e309', () => ({ iat: raw('1e309') }), /invalid iat claim/],
  ['iat negative', () => ({ iat: -5 }), /invalid iat claim/],
  ['nbf 1e309', () => ({ nbf: raw('1e309') }), /invalid nbf claim|not valid yet/],
  ['nbf negative', () => ({ nbf: -1 }), /invalid nbf claim/],
  ['auth_time 1e309', () => ({ auth_time: raw('1e309') }), /invalid auth_time claim/],
  ['auth_time negative', () => ({ auth_time: -1 }), /invalid auth_time claim/],
  ['exp not after iat', (iat) => ({ exp: iat }), /invalid exp claim|expired/],
  ['a lifetime one second over accessTokenTtl + leeway (3631 s)', (iat) => ({ exp: iat + 3631 }), /lives longer than this issuer allows/],
  ['issued ten days ago, expiring in an hour', (iat) => ({ iat: iat - 864_000, exp: iat + 3600 }), /lives longer than this issuer allows/],
];

eachStore('RFC 8725 §3.10/§3.11, RFC 7519 §2: claims of the wrong type or range', (backend) => {
  let server: TestServer;
  let clientId: string;
  let bot: AutomationClient;

  before(async () => {
    server = await startTestServer({ store: backend });
    ({ clientId } = await createServiceClient(server));
    bot = await automationClient(server, 'admin');
  });
  after(() => server.close());

  const iatNow = () => Math.floor(server.now.ms / 1000);
  const guardToken = (overrides: Record<string, Value>) => signWithIssuerKey(server, payloadText(validClaims(server, clientId), overrides));
  const guard = (token: string) => request(server.app).get('/echo/hello').set('Authorization', `Bearer ${token}`);

  it('controls: the valid claims pass, and so does a lifetime of exactly accessTokenTtl + leeway (3630 s)', async () => {
    expect((await guard(await guardToken({}))).status).to.equal(200);
    expect((await guard(await guardToken({ exp: iatNow() + 3630 }))).status).to.equal(200);
    expect((await guard(await guardToken({ auth_time: iatNow() - 60, scope: 'openid echo:read' }))).status).to.equal(200);
  });

  describe('at the guard', () => {
    for (const [label, overrides, description] of [...WRONG_TYPES, ...BAD_DATES]) {
      it(`${label} -> 401 invalid_token`, async () => {
        expectInvalidToken(await guard(await guardToken(overrides(iatNow()))), description);
      });
    }
  });

  describe('at the guard: role names that are members of every JavaScript object', () => {
    // A role is looked up in the YAML's role map: `__proto__` or `constructor` must not be found
    // there (Object.prototype), and must never turn a signed token into a 500.
    for (const role of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      it(`roles ["${role}"] grants nothing: 403 insufficient_scope; next to echo-reader it grants only echo:read`, async () => {
        const alone = await guard(await guardToken({ roles: [role] }));
        expect(alone.status, alone.text).to.equal(403);
        expect(alone.body.error).to.equal('insufficient_scope');
        const mixed = await guard(await guardToken({ roles: [role, 'echo-reader'] }));
        expect(mixed.status, mixed.text).to.equal(200);
        expect(mixed.body.identity['x-portcullis-permissions']).to.equal('echo:read');
      });
    }
  });

  describe('at the admin API (a user token of an admin client)', () => {
    /** A user's admin token: sub is not the client, so the admin API reads `scope`. */
    const adminToken = (overrides: Record<string, Value>) =>
      signWithIssuerKey(server, payloadText({ ...validClaims(server, bot.clientId), sub: 'some-user', scope: 'portcullis:admin' }, overrides));
    const admin = (token: string) => request(server.app).get('/admin/api/v1/apps').set('Authorization', `Bearer ${token}`);

    for (const [label, overrides, description] of [
      ['scope as an array', () => ({ scope: ['portcullis:admin'] }), /invalid scope claim/],
      ['scope as a number', () => ({ scope: 1 }), /invalid scope claim/],
      ['exp 1e309', () => ({ exp: raw('1e309') }), /invalid exp claim|lives longer/],
      ['a lifetime over accessTokenTtl + 30 s', (iat: number) => ({ exp: iat + 3631 }), /lives longer than this issuer allows/],
    ] as Case[]) {
      it(`${label} -> 401 invalid_token`, async () => {
        expectAdminInvalidToken(await admin(await adminToken(overrides(iatNow()))), description);
      });
    }
  });

  describe('at userinfo (OIDC Core §5.3.3: errors as RFC 6750 §3)', () => {
    const userToken = (overrides: Record<string, Value>) =>
      signWithIssuerKey(server, payloadText({ ...validClaims(server, clientId), sub: 'some-user', scope: 'openid' }, overrides));
    const userinfo = (token: string) => request(server.app).get('/oauth2/userinfo').set('Authorization', `Bearer ${token}`);

    for (const [label, overrides, description] of [
      ['scope as an array', () => ({ scope: ['openid'] }), /invalid scope claim/],
      ['scope as an object', () => ({ scope: { openid: true } }), /invalid scope claim/],
      ['sub as a number', () => ({ sub: 7 }), /invalid sub claim/],
      ['exp 1e309', () => ({ exp: raw('1e309') }), /invalid exp claim|lives longer/],
      ['a lifetime over accessTokenTtl (the issuer allows no leeway here)', (iat: number) => ({ exp: iat + 3601 }), /lives longer than this issuer allows/],
    ] as Case[]) {
      it(`${label} -> 401 invalid_token`, async () => {
        expectInvalidToken(await userinfo(await userToken(overrides(iatNow()))), description);
      });
    }
  });

  describe('the maxTokenLifetime guard parameter', () => {
    let strict: TestServer;
    before(async () => {
      strict = await startTestServer({ store: backend, guard: { maxTokenLifetime: 600 } });
    });
    after(() => strict.close());

    it('a guard with maxTokenLifetime 600 refuses a one-hour token from the token endpoint, and accepts a 600 s one', async () => {
      const { clientId: id, clientSecret } = await createServiceClient(strict);
      const issued = await request(strict.app).post('/oauth2/token').auth(id, clientSecret).type('form').send({ grant_type: 'client_credentials' });
      expect(issued.status, issued.text).to.equal(200);
      expectInvalidToken(await request(strict.app).get('/echo/hello').set('Authorization', `Bearer ${issued.body.access_token}`), /lives longer than this issuer allows/);
      const iat = Math.floor(strict.now.ms / 1000);
      const short = await signWithIssuerKey(strict, { ...validClaims(strict, id), exp: iat + 600 });
      expect((await request(strict.app).get('/echo/hello').set('Authorization', `Bearer ${short}`)).status).to.equal(200);
    });
  });
});
