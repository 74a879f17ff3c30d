import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import type { Client } from '../../../src/clients/client';
import { authorizationCodeGrant } from '../../../src/issuer/grants/authorization-code';
import type { GrantHandler, TokenResponse } from '../../../src/issuer/grants/grant-handler';
import { refreshTokenGrant } from '../../../src/issuer/grants/refresh-token';
import type { User } from '../../../src/users/user';
import { createClient, createUser, exchange, openGrantFixture, refusal, type GrantFixture } from '../../helpers/grant-fixture';

const REDIRECT = 'https://app.test/callback';

/** RFC 6749 §6 and RFC 9700 §4.14.2 as the grant handler answers them: real registries on SQLite, no HTTP. */
describe('grant: refresh_token (src/issuer/grants/refresh-token.ts)', () => {
  let f: GrantFixture;
  let grant: GrantHandler;
  let web: Client;
  let user: User;
  let reuseWindowMs: number;

  beforeEach(async () => {
    f = await openGrantFixture();
    reuseWindowMs = f.settings.tokens.refreshTokenReuseWindow * 1000;
    grant = refreshTokenGrant({ ...f.userTokens, users: f.users, revoker: f.revoker, reuseWindow: f.settings.tokens.refreshTokenReuseWindow, now: () => f.now.ms });
    web = await createClient(f, { type: 'web', redirectUris: [REDIRECT] });
    user = await createUser(f, ['echo-reader', 'echo-writer']);
  });
  afterEach(() => f.close());

  /** The first tokens of a grant, as the code exchange mints them. */
  async function signIn(scopes = ['echo:read', 'echo:write']): Promise<TokenResponse & { grantId: string }> {
    const grantId = randomUUID();
    const code = await f.codes.issue({ clientId: web.clientId, redirectUri: REDIRECT, redirectUriGiven: true, userId: user.userId, scopes, authTime: Math.floor(f.now.ms / 1000), grantId });
    const codeGrant = authorizationCodeGrant({ ...f.userTokens, codes: f.codes, users: f.users, revoker: f.revoker });
    return { ...(await exchange(codeGrant, web, { code, redirect_uri: REDIRECT })), grantId };
  }
  const refresh = (token: string, extra: Record<string, string> = {}, client = web) => exchange(grant, client, { refresh_token: token, ...extra });
  const jtiOf = (accessToken: string) => String(decodeJwt(accessToken).jti);

  it('is registered as refresh_token, reads refresh_token and scope, and public clients may use it', () => {
    expect(grant.grantType).to.equal('refresh_token');
    expect(grant.parameters).to.deep.equal(['refresh_token', 'scope']);
    expect(grant.allowsPublicClients).to.equal(true);
  });

  describe('rotation', () => {
    it('a refresh returns a new access token and a new refresh token of the same grant; the old one is spent', async () => {
      const first = await signIn();
      const second = await refresh(first.refresh_token!);
      expect(second.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
      expect(jtiOf(second.access_token)).to.not.equal(jtiOf(first.access_token));
      expect(second.scope).to.equal('echo:read echo:write');
      const old = await f.refreshTokens.find(first.refresh_token!);
      expect(old?.token.usedAt).to.equal(f.now.ms);
      const next = (await f.refreshTokens.find(second.refresh_token!))!.token;
      expect(next.grantId).to.equal(first.grantId);
      expect(next.usedAt).to.equal(undefined);
      // The successor rotates in turn.
      expect((await refresh(second.refresh_token!)).refresh_token).to.not.equal(second.refresh_token);
    });

    it('the access token carries the user\'s roles as they are now', async () => {
      const first = await signIn();
      await f.users.update(user.userId, { roles: { echo: ['echo-reader'] } });
      expect(decodeJwt((await refresh(first.refresh_token!)).access_token).roles).to.deep.equal(['echo-reader']);
    });

    it('an openid grant gets a new ID token on refresh', async () => {
      const first = await signIn(['openid', 'offline_access', 'echo:read']);
      const second = await refresh(first.refresh_token!);
      expect(decodeJwt(second.id_token!)).to.include({ sub: user.userId, aud: web.clientId });
    });
  });

  describe('scope (RFC 6749 §6)', () => {
    it('may narrow the access token; the new refresh token keeps the original scope', async () => {
      const first = await signIn();
      const narrowed = await refresh(first.refresh_token!, { scope: 'echo:read' });
      expect(narrowed.scope).to.equal('echo:read');
      expect(decodeJwt(narrowed.access_token).scope).to.equal('echo:read');
      expect((await f.refreshTokens.find(narrowed.refresh_token!))?.token.scopes).to.deep.equal(['echo:read', 'echo:write']);
    });

    it('may not widen: invalid_scope naming what was not granted, and the token is not spent', async () => {
      const first = await signIn(['echo:read']);
      await refusal(refresh(first.refresh_token!, { scope: 'echo:read echo:write' }), 'invalid_scope', /not granted: echo:write$/);
      expect((await refresh(first.refresh_token!)).access_token).to.be.a('string');
    });
  });

  describe('reuse (RFC 9700 §4.14.2)', () => {
    it('within the reuse window a retry of the same refresh gets tokens again (a lost response)', async () => {
      const first = await signIn();
      const second = await refresh(first.refresh_token!);
      f.now.ms += reuseWindowMs;
      const retry = await refresh(first.refresh_token!);
      expect(retry.refresh_token).to.not.equal(second.refresh_token);
      expect(await f.revoker.isRevoked(first.grantId)).to.equal(false);
    });

    it('two concurrent refreshes with one token both succeed (the second within the window)', async () => {
      const first = await signIn();
      const [a, b] = await Promise.all([refresh(first.refresh_token!), refresh(first.refresh_token!)]);
      expect(a.refresh_token).to.not.equal(b.refresh_token);
    });

    it('after the window a used token is taken as stolen: invalid_grant, the whole family and its access tokens revoked', async () => {
      const first = await signIn();
      const second = await refresh(first.refresh_token!);
      f.now.ms += reuseWindowMs + 1;
      await refusal(refresh(first.refresh_token!), 'invalid_grant', /already used; every token of this grant is revoked/);
      expect(await f.revoker.isRevoked(first.grantId)).to.equal(true);
      for (const access of [first.access_token, second.access_token]) expect(await f.revocations.isRevoked(jtiOf(access))).to.equal(true);
      // The legitimate holder's current token is dead too.
      await refusal(refresh(second.refresh_token!), 'invalid_grant');
    });
  });

  describe('refusals', () => {
    it('refresh_token missing: invalid_request; unknown: invalid_grant', async () => {
      await refusal(exchange(grant, web, {}), 'invalid_request', /^refresh_token is required$/);
      await refusal(refresh('pcr_never_issued'), 'invalid_grant', /invalid, expired or revoked/);
    });

    it('another client\'s refresh token: invalid_grant, and its owner can still use it (sender binding)', async () => {
      const first = await signIn();
      const other = await createClient(f, { type: 'web', redirectUris: [REDIRECT] });
      await refusal(refresh(first.refresh_token!, {}, other), 'invalid_grant', /issued to another client/);
      expect((await refresh(first.refresh_token!)).access_token).to.be.a('string');
    });

    it('a revoked grant (RFC 7009, a code replay): invalid_grant', async () => {
      const first = await signIn();
      await f.revoker.revokeGrant(first.grantId);
      await refusal(refresh(first.refresh_token!), 'invalid_grant');
    });

    it('expired: good just before the refresh token lifetime ends, invalid_grant after', async () => {
      const first = await signIn();
      f.now.ms += f.settings.tokens.refreshTokenTtl * 1000 - 1;
      const second = await refresh(first.refresh_token!);
      f.now.ms += f.settings.tokens.refreshTokenTtl * 1000 + 1;
      await refusal(refresh(second.refresh_token!), 'invalid_grant', /invalid, expired or revoked/);
    });

    it('a grant revoked while the refresh was minting: invalid_grant, and what was just minted is revoked too', async () => {
      const first = await signIn();
      let minted = '';
      // The real store and revoker; the revocation lands between claiming the token and the answer.
      const racing = refreshTokenGrant({
        ...f.userTokens,
        refreshTokens: {
          find: (value) => f.refreshTokens.find(value),
          markUsed: (stored, successor) => f.refreshTokens.markUsed(stored, successor),
          issue: async (token) => {
            minted = token.accessJti;
            await f.revoker.revokeGrant(first.grantId);
            return f.refreshTokens.issue(token);
          },
        },
        users: f.users,
        revoker: f.revoker,
        reuseWindow: f.settings.tokens.refreshTokenReuseWindow,
        now: () => f.now.ms,
      });
      await refusal(exchange(racing, web, { refresh_token: first.refresh_token! }), 'invalid_grant', /^the refresh token was revoked$/);
      expect(minted).to.not.equal('');
      expect(await f.revocations.isRevoked(minted)).to.equal(true);
    });

    it('a user disabled since: invalid_grant', async () => {
      const first = await signIn();
      await f.users.update(user.userId, { status: 'disabled' });
      await refusal(refresh(first.refresh_token!), 'invalid_grant', /user of this refresh token is no longer active/);
    });
  });
});
