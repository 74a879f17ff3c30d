import { expect } from 'chai';
import { decodeJwt } from 'jose';
import {
  authorizeAndGetCode,
  createApp,
  echoStatus,
  obtainTokens,
  redeemCode,
  refresh,
  refusedWithinASecond,
  startFlowServer,
  type FlowApp,
  type FlowUser,
} from '../helpers/browser-flow';
import { expectJsonError, expectNoStore } from '../helpers/wire-expect';
import type { TestServer } from '../helpers/test-portcullis';
import { eachStore } from '../helpers/each-store';

/**
 * Refresh tokens on the wire: RFC 6749 §6 (refreshing, scope only narrows, the new refresh token
 * keeps the original scope), RFC 9700 §4.14.2 (rotation, reuse detection revoking the whole
 * family with its access tokens, sender binding to the client), their lifetime, and concurrency.
 */

const REUSE_WINDOW_MS = 10_000;
const REFRESH_TTL_MS = 90 * 24 * 3600 * 1000;

eachStore('RFC 9700 §4.14.2 refresh token rotation and RFC 6749 §6 refreshing', (backend) => {
  let server: TestServer;
  let web: FlowApp;
  let user: FlowUser;

  beforeEach(async () => {
    ({ server, web, user } = await startFlowServer({ store: backend, roles: ['echo-reader', 'echo-writer'] }));
  });
  afterEach(() => server.close());

  const tokensFor = (scope = 'echo:read echo:write', app = web) => obtainTokens(server, { app, user, params: { scope } });

  /** A successful refresh: §5.1 response with a new refresh token; returns the body. */
  async function refreshed(refreshToken: string, extra: Record<string, string> = {}, app = web) {
    const res = await refresh(server, app, refreshToken, extra);
    expect(res.status, res.text).to.equal(200);
    expectNoStore(res);
    expect(res.body).to.have.all.keys('access_token', 'token_type', 'expires_in', 'refresh_token', 'scope');
    expect(res.body.token_type).to.equal('Bearer');
    expect(res.body.expires_in).to.equal(3600);
    return res.body;
  }

  describe('§6 refreshing with rotation', () => {
    it('returns a new access token and a new, different refresh token, for the same scope', async () => {
      const first = await tokensFor();
      const second = await refreshed(first.refresh_token);
      expect(second.refresh_token).to.not.equal(first.refresh_token);
      expect(second.access_token).to.not.equal(first.access_token);
      expect(second.scope).to.equal('echo:read echo:write');
      expect(decodeJwt(second.access_token).jti).to.not.equal(decodeJwt(first.access_token).jti);
      expect(await echoStatus(server, second.access_token)).to.equal(200);
      expect((await refreshed(second.refresh_token)).refresh_token).to.not.equal(second.refresh_token);
    });

    it('keeps sub and auth_time of the original sign-in', async () => {
      const first = await tokensFor();
      server.now.ms += 60_000;
      const second = await refreshed(first.refresh_token);
      const [a, b] = [decodeJwt(first.access_token), decodeJwt(second.access_token)];
      expect(b.sub).to.equal(user.userId);
      expect(b.auth_time).to.equal(a.auth_time);
      expect(b.iat).to.equal(a.iat! + 60);
    });

    it('an old refresh token presented again within the reuse window gets a valid answer (a retried request)', async () => {
      const first = await tokensFor();
      const second = await refreshed(first.refresh_token);
      server.now.ms += REUSE_WINDOW_MS - 1000;
      const retry = await refreshed(first.refresh_token);
      expect(await echoStatus(server, retry.access_token)).to.equal(200);
      // Both answers stay usable: the window only forgives, it does not revoke.
      expect(await echoStatus(server, second.access_token)).to.equal(200);
      await refreshed(second.refresh_token);
    });

    it('an old refresh token presented after the window: invalid_grant and the whole family is revoked', async () => {
      const first = await tokensFor();
      const second = await refreshed(first.refresh_token);
      const third = await refreshed(second.refresh_token);
      expect(await echoStatus(server, third.access_token)).to.equal(200);

      server.now.ms += REUSE_WINDOW_MS + 1000;
      expectJsonError(await refresh(server, web, first.refresh_token), 400, 'invalid_grant', /already used/);
      // The newest refresh token and every access token of the family die with it.
      expectJsonError(await refresh(server, web, third.refresh_token), 400, 'invalid_grant');
      for (const { access_token: token } of [first, second, third]) await refusedWithinASecond(server, token);
    });

    it('a refresh token of another grant of the same user survives the revocation of a family', async () => {
      const stolen = await tokensFor();
      const other = await tokensFor();
      await refreshed(stolen.refresh_token);
      server.now.ms += REUSE_WINDOW_MS + 1000;
      expect((await refresh(server, web, stolen.refresh_token)).status).to.equal(400);
      await refreshed(other.refresh_token);
    });
  });

  describe('§6 scope', () => {
    it('may narrow: the access token carries the narrowed scope', async () => {
      const first = await tokensFor();
      const narrowed = await refreshed(first.refresh_token, { scope: 'echo:read' });
      expect(narrowed.scope).to.equal('echo:read');
      expect(decodeJwt(narrowed.access_token).scope).to.equal('echo:read');
      expect(await echoStatus(server, narrowed.access_token, 'post')).to.equal(403);
      expect(await echoStatus(server, narrowed.access_token)).to.equal(200);
    });

    it('the new refresh token keeps the scope of the one presented ("MUST be identical")', async () => {
      const first = await tokensFor();
      const narrowed = await refreshed(first.refresh_token, { scope: 'echo:read' });
      const next = await refreshed(narrowed.refresh_token);
      expect(next.scope).to.equal('echo:read echo:write');
      expect(await echoStatus(server, next.access_token, 'post')).to.equal(200);
    });

    it('may not widen: invalid_scope, and the refresh token is not used up by the refused request', async () => {
      const first = await tokensFor('echo:read');
      expectJsonError(await refresh(server, web, first.refresh_token, { scope: 'echo:read echo:write' }), 400, 'invalid_scope');
      expectJsonError(await refresh(server, web, first.refresh_token, { scope: 'openid' }), 400, 'invalid_scope');
      await refreshed(first.refresh_token);
    });
  });

  describe('binding, lifetime and the user', () => {
    it('a refresh token of client A presented by client B: invalid_grant, and A can still use it', async () => {
      const other = await createApp(server);
      const first = await tokensFor();
      expectJsonError(await refresh(server, other, first.refresh_token), 400, 'invalid_grant', /another client/);
      await refreshed(first.refresh_token);
    });

    it('a public client refreshes with its client_id only', async () => {
      const pub = await createApp(server, { type: 'public' });
      const first = await tokensFor('echo:read', pub);
      await refreshed(first.refresh_token, {}, pub);
    });

    it('expires after 90 days: still good just before, invalid_grant just after', async () => {
      const early = await tokensFor();
      const late = await tokensFor();
      server.now.ms += REFRESH_TTL_MS - 60_000;
      await refreshed(early.refresh_token);
      server.now.ms += 120_000;
      expectJsonError(await refresh(server, web, late.refresh_token), 400, 'invalid_grant');
    });

    it('changed user roles appear in the refreshed access token', async () => {
      const first = await tokensFor('');
      expect(decodeJwt(first.access_token).roles).to.deep.equal(['echo-reader', 'echo-writer']);
      await server.portcullis.users.update(user.userId, { roles: { echo: ['echo-reader'] } });
      const res = await refresh(server, web, first.refresh_token);
      expect(res.status, res.text).to.equal(200);
      expect(decodeJwt(res.body.access_token).roles).to.deep.equal(['echo-reader']);
      expect(await echoStatus(server, res.body.access_token, 'post')).to.equal(403);
    });

    it('a disabled user: refresh fails with invalid_grant and the access token is refused at the guard', async () => {
      const first = await tokensFor();
      await server.portcullis.access.disableUser(user.userId);
      expectJsonError(await refresh(server, web, first.refresh_token), 400, 'invalid_grant');
      await refusedWithinASecond(server, first.access_token);
    });

    it('a deactivated client can no longer refresh: invalid_client', async () => {
      const first = await tokensFor();
      await server.portcullis.access.deactivateClient(web.clientId);
      expectJsonError(await refresh(server, web, first.refresh_token), 401, 'invalid_client');
    });

    it('garbage, an access token, or no refresh_token at all', async () => {
      const first = await tokensFor();
      expectJsonError(await refresh(server, web, 'pcr_garbage'), 400, 'invalid_grant');
      expectJsonError(await refresh(server, web, first.access_token), 400, 'invalid_grant');
      expectJsonError(await refresh(server, web, undefined as unknown as string), 400, 'invalid_request');
    });
  });

  describe('concurrency', () => {
    it('20 parallel redemptions of one authorization code: exactly one 200, the rest invalid_grant', async () => {
      const result = await authorizeAndGetCode(server, { app: web, user });
      const answers = await Promise.all(Array.from({ length: 20 }, () => redeemCode(server, web, result)));
      const statuses = answers.map((r) => r.status);
      expect(statuses.filter((s) => s === 200), JSON.stringify(answers.map((r) => r.body))).to.have.length(1);
      for (const res of answers.filter((r) => r.status !== 200)) expectJsonError(res, 400, 'invalid_grant');
      // RFC 6749 §4.1.2: the replays revoke what the one redemption issued (one more, sequential,
      // replay makes that certain whatever the interleaving was).
      expectJsonError(await redeemCode(server, web, result), 400, 'invalid_grant');
      const winner = answers.find((r) => r.status === 200)!.body;
      await refusedWithinASecond(server, winner.access_token);
      expectJsonError(await refresh(server, web, winner.refresh_token), 400, 'invalid_grant');
    });

    it('10 parallel refreshes of one refresh token all succeed inside the window; reuse after it revokes them all', async () => {
      // Documented behaviour: within the reuse window (10 s) every presentation of the same refresh
      // token is treated as a retry of a lost response and answered with fresh tokens of the same
      // family, so 10 concurrent requests get 10 distinct, valid refresh tokens. The price: a thief
      // racing the client inside the window is not detected then. Once the window has passed, the
      // next presentation of the original is reuse, and it revokes every branch of the family.
      const first = await tokensFor();
      const answers = await Promise.all(Array.from({ length: 10 }, () => refresh(server, web, first.refresh_token)));
      expect(answers.map((r) => r.status)).to.deep.equal(Array(10).fill(200));
      const branches = answers.map((r) => r.body as { access_token: string; refresh_token: string });
      expect(new Set(branches.map((b) => b.refresh_token)).size).to.equal(10);
      for (const branch of branches) expect(await echoStatus(server, branch.access_token)).to.equal(200);

      server.now.ms += REUSE_WINDOW_MS + 1000;
      expectJsonError(await refresh(server, web, first.refresh_token), 400, 'invalid_grant');
      for (const branch of branches) {
        expectJsonError(await refresh(server, web, branch.refresh_token), 400, 'invalid_grant');
        await refusedWithinASecond(server, branch.access_token);
      }
    });
  });
});
