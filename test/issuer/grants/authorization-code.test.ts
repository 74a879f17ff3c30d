import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import type { Client } from '../../../src/clients/client';
import { authorizationCodeGrant } from '../../../src/issuer/grants/authorization-code';
import type { GrantHandler } from '../../../src/issuer/grants/grant-handler';
import type { AuthorizationCode } from '../../../src/tokens/authorization-codes';
import type { User } from '../../../src/users/user';
import { createClient, createUser, exchange, openGrantFixture, refusal, type GrantFixture } from '../../helpers/grant-fixture';

const REDIRECT = 'https://app.test/callback';
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/** RFC 6749 §4.1.3 / RFC 7636 §4.5 as the grant handler answers them: real registries on SQLite, no HTTP. */
describe('grant: authorization_code (src/issuer/grants/authorization-code.ts)', () => {
  let f: GrantFixture;
  let grant: GrantHandler;
  let web: Client;
  let user: User;

  beforeEach(async () => {
    f = await openGrantFixture();
    grant = authorizationCodeGrant({ ...f.userTokens, codes: f.codes, users: f.users, revoker: f.revoker });
    web = await createClient(f, { type: 'web', redirectUris: [REDIRECT] });
    user = await createUser(f, ['echo-reader']);
  });
  afterEach(() => f.close());

  /** A code as the authorize endpoint issues it after sign-in and consent. */
  function issueCode(overrides: Partial<AuthorizationCode> = {}): Promise<string> {
    return f.codes.issue({
      clientId: web.clientId,
      redirectUri: REDIRECT,
      redirectUriGiven: true,
      userId: user.userId,
      scopes: ['echo:read'],
      authTime: Math.floor(f.now.ms / 1000) - 5,
      grantId: randomUUID(),
      ...overrides,
    });
  }
  const redeem = (code: string, extra: Record<string, string> = {}, client = web) => exchange(grant, client, { code, redirect_uri: REDIRECT, ...extra });

  it('is registered as authorization_code, reads code, redirect_uri and code_verifier, and public clients may use it', () => {
    expect(grant.grantType).to.equal('authorization_code');
    expect(grant.parameters).to.deep.equal(['code', 'redirect_uri', 'code_verifier']);
    expect(grant.allowsPublicClients).to.equal(true);
  });

  it('an OAuth-only code: an access token for the user with their roles, and a refresh token of the grant', async () => {
    const grantId = randomUUID();
    const response = await redeem(await issueCode({ grantId }));
    expect(response).to.have.all.keys('access_token', 'token_type', 'expires_in', 'refresh_token', 'scope');
    expect(response.scope).to.equal('echo:read');
    const claims = decodeJwt(response.access_token);
    expect(claims).to.include({ sub: user.userId, client_id: web.clientId, aud: f.settings.applications.echo.audience, scope: 'echo:read' });
    expect(claims.roles).to.deep.equal(['echo-reader']);
    const refresh = await f.refreshTokens.find(response.refresh_token!);
    expect(refresh?.token).to.include({ grantId, clientId: web.clientId, userId: user.userId, accessJti: claims.jti });
  });

  it('an OpenID Connect code: an ID token with the nonce, and no refresh token without offline_access (OIDC Core §11)', async () => {
    const response = await redeem(await issueCode({ scopes: ['openid', 'echo:read'], nonce: 'n-0S6' }));
    expect(response).to.not.have.property('refresh_token');
    const idToken = decodeJwt(response.id_token!);
    expect(idToken).to.include({ sub: user.userId, aud: web.clientId, nonce: 'n-0S6' });
    const offline = await redeem(await issueCode({ scopes: ['openid', 'offline_access', 'echo:read'] }));
    expect(offline.refresh_token).to.be.a('string');
  });

  it('code missing: invalid_request; unknown or expired: invalid_grant', async () => {
    await refusal(exchange(grant, web, { redirect_uri: REDIRECT }), 'invalid_request', /^code is required$/);
    await refusal(redeem('pca_never_issued'), 'invalid_grant', /invalid or expired/);
    const code = await issueCode();
    f.now.ms += (f.settings.tokens.authorizationCodeTtl + 1) * 1000;
    await refusal(redeem(code), 'invalid_grant', /invalid or expired/);
  });

  it('a replayed code fails and revokes what the first exchange issued: its grant and its access token (§4.1.2)', async () => {
    const grantId = randomUUID();
    const code = await issueCode({ grantId });
    const first = await redeem(code);
    await refusal(redeem(code), 'invalid_grant', /already used/);
    expect(await f.revoker.isRevoked(grantId)).to.equal(true);
    expect(await f.revocations.isRevoked(String(decodeJwt(first.access_token).jti))).to.equal(true);
    expect(await f.refreshTokens.find(first.refresh_token!)).to.equal(undefined);
  });

  it('a replay racing the first exchange: the first still answers (exactly one success), its tokens dead on arrival', async () => {
    const grantId = randomUUID();
    const code = await issueCode({ grantId });
    let replay: Promise<unknown> | undefined;
    // The real store; the replay arrives while the first exchange mints (after it marked the code redeemed).
    const racing = authorizationCodeGrant({
      ...f.userTokens,
      refreshTokens: {
        issue: async (token) => {
          replay = refusal(redeem(code), 'invalid_grant', /already used/);
          await replay;
          return f.refreshTokens.issue(token);
        },
      },
      codes: f.codes,
      users: f.users,
      revoker: f.revoker,
    });
    const first = await exchange(racing, web, { code, redirect_uri: REDIRECT });
    expect(replay).to.not.equal(undefined);
    expect(await f.revoker.isRevoked(grantId)).to.equal(true);
    expect(await f.revocations.isRevoked(String(decodeJwt(first.access_token).jti))).to.equal(true);
    expect(await f.refreshTokens.find(first.refresh_token!)).to.equal(undefined);
  });

  it('a code of another client: invalid_grant, and the code is spent', async () => {
    const other = await createClient(f, { type: 'web', redirectUris: [REDIRECT] });
    const code = await issueCode();
    await refusal(redeem(code, {}, other), 'invalid_grant', /another client/);
    await refusal(redeem(code), 'invalid_grant', /invalid or expired/);
  });

  it('redirect_uri must be the authorization request\'s, and present when that request had one (§4.1.3)', async () => {
    await refusal(exchange(grant, web, { code: await issueCode() }), 'invalid_grant', /redirect_uri does not match/);
    await refusal(redeem(await issueCode(), { redirect_uri: 'https://app.test/other' }), 'invalid_grant', /redirect_uri does not match/);
    // Not given at authorize (the one registered URI was used): the token request may leave it out.
    const response = await exchange(grant, web, { code: await issueCode({ redirectUriGiven: false }) });
    expect(response.access_token).to.be.a('string');
  });

  describe('PKCE (RFC 7636 §4.5, RFC 9700 §4.8.2)', () => {
    const pkce = { codeChallenge: CHALLENGE, codeChallengeMethod: 'S256' as const };

    it('the verifier of the S256 challenge redeems the code', async () => {
      expect((await redeem(await issueCode(pkce), { code_verifier: VERIFIER })).access_token).to.be.a('string');
    });

    it('a plain challenge compares the verifier as it is', async () => {
      const code = await issueCode({ codeChallenge: VERIFIER, codeChallengeMethod: 'plain' });
      expect((await redeem(code, { code_verifier: VERIFIER })).access_token).to.be.a('string');
    });

    it('no verifier for a challenge, or another verifier: invalid_grant', async () => {
      await refusal(redeem(await issueCode(pkce)), 'invalid_grant', /^code_verifier is required$/);
      await refusal(redeem(await issueCode(pkce), { code_verifier: VERIFIER.replace('d', 'e') }), 'invalid_grant', /does not match the code_challenge/);
    });

    it('a malformed verifier is refused before the code is spent', async () => {
      const code = await issueCode(pkce);
      await refusal(redeem(code, { code_verifier: 'too-short' }), 'invalid_grant', /^code_verifier is malformed$/);
      expect((await redeem(code, { code_verifier: VERIFIER })).access_token).to.be.a('string');
    });

    it('a verifier without a challenge (a downgrade): invalid_grant', async () => {
      await refusal(redeem(await issueCode(), { code_verifier: VERIFIER }), 'invalid_grant', /had no code_challenge/);
    });
  });

  it('a user disabled or deleted since sign-in: invalid_grant', async () => {
    const code = await issueCode();
    await f.users.update(user.userId, { status: 'disabled' });
    await refusal(redeem(code), 'invalid_grant', /user of this authorization code is no longer active/);
    await refusal(redeem(await issueCode({ userId: randomUUID() })), 'invalid_grant', /no longer active/);
  });
});
