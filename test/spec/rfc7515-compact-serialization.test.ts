import { expect } from 'chai';
import request from 'supertest';
import { automationClient, type AutomationClient } from '../helpers/admin-session';
import { obtainTokens, REDIRECT_URI, startFlowServer } from '../helpers/browser-flow';
import { expectPage } from '../helpers/wire-expect';
import { expectAdminInvalidToken, expectInvalidToken } from '../helpers/bearer-expect';
import { startTestServer, type TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * RFC 7515 §2 and §7.1: a JWS in compact serialization is three base64url parts without padding.
 * Node's decoder is lenient (it maps `+`/`/` to the same bytes as `-`/`_`, skips `=`, whitespace
 * and anything after padding, and ignores the unused bits of the last character), so without a
 * check of its own the verifier would accept many spellings of one token. Every other spelling
 * is refused before verification, at the guard, the admin API and introspection alike.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The parts of a compact JWS. */
const partsOf = (token: string) => token.split('.') as [string, string, string];

/** The same signature bytes, with the unused low bits of the last character set (RFC 4648 §3.5). */
function withDirtyTrailingBits(segment: string): string {
  const unusedBits = (6 * segment.length) % 8;
  expect(unusedBits, 'the segment must have unused bits').to.be.greaterThan(0);
  const last = ALPHABET.indexOf(segment[segment.length - 1]);
  const dirty = segment.slice(0, -1) + ALPHABET[last | 1];
  expect(Buffer.from(dirty, 'base64url').equals(Buffer.from(segment, 'base64url')), 'same bytes, other spelling').to.equal(true);
  expect(dirty).to.not.equal(segment);
  return dirty;
}

/** `=` padding to a multiple of four (RFC 4648 §4), which RFC 7515 §2 forbids. */
function padded(segment: string): string {
  const pad = (4 - (segment.length % 4)) % 4;
  expect(pad, 'the segment needs padding').to.be.greaterThan(0);
  return segment + '='.repeat(pad);
}

eachStore('RFC 7515 §2, §7.1: one compact serialization per token', (backend) => {
  let server: TestServer;
  let bot: AutomationClient;
  /** A token from the token endpoint whose parts contain `-` or `_` (so that a standard-alphabet spelling differs). */
  let token: string;

  before(async () => {
    server = await startTestServer({ store: backend });
    bot = await automationClient(server, 'admin');
    for (let i = 0; i < 20 && !/[-_]/.test(bot.token); i++) bot = await automationClient(server, 'admin');
    token = bot.token;
    expect(token).to.match(/[-_]/);
  });
  after(() => server.close());

  const guard = (t: string) => request(server.app).get('/echo/hello').set('Authorization', `Bearer ${t}`);
  const admin = (t: string) => request(server.app).get('/admin/api/v1/apps').set('Authorization', `Bearer ${t}`);
  const userinfo = (t: string) => request(server.app).get('/oauth2/userinfo').set('Authorization', `Bearer ${t}`);
  const introspect = (t: string) => request(server.app).post('/oauth2/introspect').auth(bot.clientId, bot.clientSecret).type('form').send({ token: t });

  /** Spellings that the Authorization header's b64token syntax (RFC 6750 §2.1) lets through to the verifier. */
  const respellings: Array<[string, () => string]> = [
    ['the standard base64 alphabet (+ and /) instead of base64url', () => token.replace(/-/g, '+').replace(/_/g, '/')],
    ['= padding on the signature', () => { const [h, p, s] = partsOf(token); return `${h}.${p}.${padded(s)}`; }],
    ['trailing = characters appended', () => `${token}===`],
    ['a last signature character with non-zero unused bits', () => { const [h, p, s] = partsOf(token); return `${h}.${p}.${withDirtyTrailingBits(s)}`; }],
    ['a last header or payload character with non-zero unused bits', () => {
      const [h, p, s] = partsOf(token);
      // Their lengths depend on the key id and the claims: respell whichever has unused bits.
      return (6 * h.length) % 8 ? `${withDirtyTrailingBits(h)}.${p}.${s}` : `${h}.${withDirtyTrailingBits(p)}.${s}`;
    }],
    ['a trailing dot (four parts)', () => `${token}.`],
    ['an empty signature', () => { const [h, p] = partsOf(token); return `${h}.${p}.`; }],
  ];

  it('the token as issued is accepted everywhere (so the refusals below are about the spelling)', async () => {
    expect((await guard(token)).status).to.equal(200);
    expect((await admin(token)).status).to.equal(200);
    // A service token carries no openid scope: verified, then refused for its scope, not its spelling.
    expect((await userinfo(token)).body.error).to.equal('insufficient_scope');
    expect((await introspect(token)).body.active).to.equal(true);
  });

  for (const [label, respell] of respellings) {
    it(`${label} -> guard 401 invalid_token "malformed"`, async () => {
      // The canonical spelling is cached by the test above: a respelling must not reuse it.
      expectInvalidToken(await guard(respell()), /^the access token is malformed/);
    });

    it(`${label} -> admin API 401 invalid_token`, async () => {
      expectAdminInvalidToken(await admin(respell()), /^the access token is malformed/);
    });

    it(`${label} -> userinfo 401 invalid_token`, async () => {
      expectInvalidToken(await userinfo(respell()), /^the access token is malformed/);
    });

    it(`${label} -> introspection {"active": false}`, async () => {
      const res = await introspect(respell());
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ active: false });
    });
  }

  /** Spellings the Authorization header cannot carry, but a form parameter (RFC 7662 §2.1) can. */
  const formOnly: Array<[string, () => string]> = [
    ['trailing characters after = padding', () => { const [h, p, s] = partsOf(token); return `${h}.${p}.${padded(s)}garbage`; }],
    ['a space inside the signature', () => { const [h, p, s] = partsOf(token); return `${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`; }],
    ['a trailing newline', () => `${token}\n`],
    ['a tab inside the payload', () => { const [h, p, s] = partsOf(token); return `${h}.${p.slice(0, 8)}\t${p.slice(8)}.${s}`; }],
  ];

  for (const [label, respell] of formOnly) {
    it(`${label} -> introspection {"active": false}`, async () => {
      const res = await introspect(respell());
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.deep.equal({ active: false });
    });
  }

  it('whitespace inside a Bearer credential never reaches the verifier: 400 invalid_request (RFC 6750 §2.1 b64token)', async () => {
    const [h, p, s] = partsOf(token);
    const res = await request(server.app).get('/echo/hello').set('Authorization', `Bearer ${h}.${p}.${s.slice(0, 10)} ${s.slice(10)}`);
    expect(res.status, res.text).to.equal(400);
    expect(res.body.error).to.equal('invalid_request');
    expect(res.body.error_description).to.equal('malformed Bearer credentials');
  });
});

eachStore('RFC 7515 §2 for the id_token_hint of RP-Initiated Logout (OpenID Connect RP-Initiated Logout 1.0 §2)', (backend) => {
  let server: TestServer;
  let idToken: string;

  before(async () => {
    const flow = await startFlowServer({ store: backend });
    server = flow.server;
    idToken = (await obtainTokens(server, { app: flow.web, user: flow.user, params: { scope: 'openid' } })).id_token;
    for (let i = 0; i < 20 && !/[-_]/.test(idToken); i++) {
      idToken = (await obtainTokens(server, { app: flow.web, user: flow.user, params: { scope: 'openid' } })).id_token;
    }
    expect(idToken).to.match(/[-_]/);
  });
  after(() => server.close());

  const logout = (hint: string) => request(server.app).get('/logout').query({ id_token_hint: hint, post_logout_redirect_uri: REDIRECT_URI });

  it('the ID token as issued is a valid hint', async () => {
    expectPage(await logout(idToken), 200);
  });

  for (const [label, respell] of [
    ['the standard base64 alphabet', () => idToken.replace(/-/g, '+').replace(/_/g, '/')],
    ['= padding on the signature', () => { const [h, p, s] = partsOf(idToken); return `${h}.${p}.${padded(s)}`; }],
    ['a last signature character with non-zero unused bits', () => { const [h, p, s] = partsOf(idToken); return `${h}.${p}.${withDirtyTrailingBits(s)}`; }],
    ['trailing characters after padding', () => { const [h, p, s] = partsOf(idToken); return `${h}.${p}.${padded(s)}garbage`; }],
  ] as Array<[string, () => string]>) {
    it(`${label} -> 400 invalid_request page, no redirect`, async () => {
      expectPage(await logout(respell()), 400, 'invalid_request');
    });
  }
});
