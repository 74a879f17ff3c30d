import { expect } from 'chai';
import { decodeJwt } from 'jose';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';
import { createUser, type CreatedUser } from '../helpers/sample-client';
import { eachStore } from '../helpers/each-store';

type OpenIdClient = typeof import('openid-client');
type Configuration = import('openid-client').Configuration;

/** Never called: the redirect URI only has to be registered and to be where the issuer sends the browser. */
const REDIRECT_URI = 'http://127.0.0.1/openid-client/callback';

/**
 * Interoperability with openid-client v6 (panva's certified relying-party library), unmodified and
 * with no special casing: discovery, the authorization code flow with PKCE S256, state and nonce
 * (the library validates the RFC 9207 `iss`, the state and the ID token), userinfo, refresh,
 * client credentials, introspection and revocation, all against the real gateway process.
 */
eachStore('e2e: openid-client v6 against the real gateway', function (backend) {
  this.timeout(60_000);
  let oc: OpenIdClient;
  let gw: GatewayProcess;
  let issuer: string;
  let user: CreatedUser;
  let app: { client_id: string; client_secret: string };
  let service: { client_id: string; client_secret: string };
  let config: Configuration;

  before(async () => {
    oc = await import('openid-client');
    gw = await startGateway(backend.env());
    issuer = gw.env.PORTCULLIS_ISSUER ?? `http://localhost:${gw.env.PORT}`;
    user = await createUser(gw.env, 'dana', 'correct horse battery staple', ['echo:echo-reader'], ['--name', 'Dana Example', '--email', 'dana@example.test']);
    const createdApp = await gw.cli(['apps', 'create', '--name', 'openid-client RP', '--application', 'echo', '--type', 'web', '--redirect-uri', REDIRECT_URI, '--json']);
    expect(createdApp.code, createdApp.stderr).to.equal(0);
    app = JSON.parse(createdApp.stdout);
    const createdService = await gw.cli(['clients', 'create', '--name', 'openid-client service', '--application', 'echo', '--role', 'echo-reader', '--json']);
    expect(createdService.code, createdService.stderr).to.equal(0);
    service = JSON.parse(createdService.stdout);
    config = await oc.discovery(new URL(issuer), app.client_id, app.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
  });
  after(async () => {
    await gw?.stop();
  });

  /** The user's part over plain HTTP: a cookie jar, manual redirects, the sign-in and consent forms. */
  async function userAgent(authorizationUrl: URL, decision: 'allow' | 'deny' = 'allow'): Promise<{ callbackUrl: URL; steps: string[] }> {
    const cookies = new Map<string, string>();
    const steps: string[] = [];
    let url = authorizationUrl.href;
    let form: URLSearchParams | undefined;
    for (let hop = 0; hop < 12; hop++) {
      const res = await fetch(url, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          ...(cookies.size ? { Cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
          ...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form?.toString(),
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attributes] = line.split(';');
        const [name, value] = [pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim()];
        if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      const here = new URL(url);
      steps.push(`${form ? 'POST' : 'GET'} ${here.pathname} ${res.status}`);
      form = undefined;
      if (res.status === 302 || res.status === 303) {
        await res.body?.cancel();
        const location = new URL(res.headers.get('location')!, url);
        if (location.href.startsWith(REDIRECT_URI)) return { callbackUrl: location, steps };
        expect(location.origin, 'only the issuer redirects before the callback').to.equal(issuer);
        url = location.href;
        continue;
      }
      const html = await res.text();
      expect(res.status, html).to.equal(200);
      const forms = [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
      const hidden = (action: string) => {
        const match = forms.find((f) => f[1] === action);
        expect(match, `a form posting to ${action} on ${here.pathname}`).to.exist;
        const fields = new URLSearchParams();
        for (const [, name, value] of match![2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(name, value.replace(/&amp;/g, '&'));
        expect(fields.get('csrf_token')).to.be.a('string').and.not.be.empty;
        expect(fields.get('interaction')).to.be.a('string').and.not.be.empty;
        return fields;
      };
      if (here.pathname === '/login') {
        form = hidden('/login');
        form.set('username', user.username);
        form.set('password', user.password);
        url = new URL('/login', issuer).href;
      } else if (here.pathname === '/oauth2/consent') {
        expect(html).to.contain('<span id="app-name">openid-client RP</span>');
        form = hidden('/oauth2/consent');
        form.set('decision', decision);
        url = new URL('/oauth2/consent', issuer).href;
      } else {
        expect.fail(`unexpected page ${here.pathname}: ${html.slice(0, 300)}`);
      }
    }
    throw new Error('too many hops');
  }

  /** One authorization with PKCE S256, state and nonce; the callback URL the issuer redirected to. */
  async function authorize(scope = 'openid profile email offline_access') {
    const pkceCodeVerifier = oc.randomPKCECodeVerifier();
    const expectedState = oc.randomState();
    const expectedNonce = oc.randomNonce();
    const authorizationUrl = oc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT_URI,
      scope,
      code_challenge: await oc.calculatePKCECodeChallenge(pkceCodeVerifier),
      code_challenge_method: 'S256',
      state: expectedState,
      nonce: expectedNonce,
    });
    expect(authorizationUrl.origin + authorizationUrl.pathname).to.equal(`${issuer}/oauth2/authorize`);
    const { callbackUrl, steps } = await userAgent(authorizationUrl);
    return { callbackUrl, steps, checks: { pkceCodeVerifier, expectedState, expectedNonce } };
  }

  async function rejection(promise: Promise<unknown>): Promise<Error & { error?: string; code?: string }> {
    try {
      await promise;
    } catch (err) {
      return err as Error;
    }
    throw new Error('expected a rejection');
  }

  /** The library's message and the messages of its causes (the specific reason is in the cause). */
  function explain(err: unknown): string {
    const parts: string[] = [];
    for (let e = err as { message?: string; cause?: unknown } | undefined; e && parts.length < 5; e = e.cause as typeof e) parts.push(String(e.message ?? ''));
    return parts.join(' / ');
  }

  const echo = (token: string) => fetch(`${gw.baseUrl}/echo/hello`, { headers: { Authorization: `Bearer ${token}` } });

  it('discovers the issuer: the metadata names exactly the issuer URL and its endpoints', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).to.equal(issuer);
    expect(metadata.token_endpoint).to.equal(`${issuer}/oauth2/token`);
    expect(metadata.authorization_response_iss_parameter_supported).to.equal(true);
    expect(metadata.supportsPKCE()).to.equal(true);
    expect(config.clientMetadata().client_id).to.equal(app.client_id);
  });

  it('completes the authorization code flow: the library validates iss, state, the ID token and nonce', async () => {
    const { callbackUrl, steps, checks } = await authorize();
    expect(steps.map((s) => s.replace(/ \d+$/, ''))).to.include.members(['GET /oauth2/authorize', 'GET /login', 'POST /login', 'POST /oauth2/consent']);
    expect(callbackUrl.searchParams.get('iss')).to.equal(issuer);
    expect(callbackUrl.searchParams.get('state')).to.equal(checks.expectedState);

    const tokens = await oc.authorizationCodeGrant(config, callbackUrl, checks);
    expect(tokens.token_type.toLowerCase()).to.equal('bearer');
    expect(tokens.access_token).to.be.a('string');
    expect(tokens.refresh_token).to.be.a('string');
    expect(tokens.id_token).to.be.a('string');
    expect(tokens.scope).to.equal('openid profile email offline_access');
    expect(tokens.expiresIn()).to.be.within(3590, 3600);
    const claims = tokens.claims()!;
    expect(claims).to.include({ iss: issuer, sub: user.user_id, aud: app.client_id, nonce: checks.expectedNonce, name: 'Dana Example', preferred_username: user.username, email: 'dana@example.test' });
    expect(claims.auth_time).to.be.a('number');
    expect(claims.at_hash).to.be.a('string');

    const access = decodeJwt(tokens.access_token);
    expect(access).to.include({ iss: issuer, sub: user.user_id, client_id: app.client_id, aud: 'urn:portcullis:application:echo' });
    const res = await echo(tokens.access_token);
    expect(res.status).to.equal(200);
    expect((await res.json()).identity).to.include({ 'x-portcullis-subject': user.user_id, 'x-portcullis-client-id': app.client_id });
  });

  it('remembers the consent: a second authorization goes from sign-in straight back to the client', async () => {
    const { callbackUrl, steps, checks } = await authorize();
    expect(steps.some((s) => s.includes('/oauth2/consent'))).to.equal(false);
    const tokens = await oc.authorizationCodeGrant(config, callbackUrl, checks);
    expect(tokens.claims()!.sub).to.equal(user.user_id);
  });

  it('lets the library refuse a callback from another issuer (RFC 9207) or with a wrong state, before spending the code', async () => {
    const { callbackUrl, checks } = await authorize();
    const mixedUp = new URL(callbackUrl);
    mixedUp.searchParams.set('iss', 'https://attacker.example');
    const mixUp = await rejection(oc.authorizationCodeGrant(config, mixedUp, checks));
    expect(explain(mixUp)).to.match(/unexpected "iss"/);
    const wrongState = await rejection(oc.authorizationCodeGrant(config, callbackUrl, { ...checks, expectedState: oc.randomState() }));
    expect(explain(wrongState)).to.match(/"state"/);
    const wrongNonce = await rejection(oc.authorizationCodeGrant(config, callbackUrl, { ...checks, expectedNonce: oc.randomNonce() }));
    expect(explain(wrongNonce)).to.match(/"nonce"/);
    // The nonce check happens after the exchange: the code is spent, and a replay is refused.
    const replay = await rejection(oc.authorizationCodeGrant(config, callbackUrl, checks));
    expect(replay).to.be.instanceOf(oc.ResponseBodyError);
    expect(replay.error).to.equal('invalid_grant');
  });

  it('fetches userinfo for the access token and checks its subject', async () => {
    const { callbackUrl, checks } = await authorize();
    const tokens = await oc.authorizationCodeGrant(config, callbackUrl, checks);
    const info = await oc.fetchUserInfo(config, tokens.access_token, user.user_id);
    expect(info).to.include({ sub: user.user_id, name: 'Dana Example', preferred_username: user.username, email: 'dana@example.test' });
    const mismatch = await rejection(oc.fetchUserInfo(config, tokens.access_token, 'someone-else'));
    expect(explain(mismatch)).to.match(/"sub"/);
  });

  it('refreshes: new access and refresh tokens, and an ID token for the same subject', async () => {
    const { callbackUrl, checks } = await authorize();
    const first = await oc.authorizationCodeGrant(config, callbackUrl, checks);
    const refreshed = await oc.refreshTokenGrant(config, first.refresh_token!);
    expect(refreshed.access_token).to.be.a('string').and.not.equal(first.access_token);
    expect(refreshed.refresh_token).to.be.a('string').and.not.equal(first.refresh_token);
    expect(refreshed.scope).to.equal(first.scope);
    expect(refreshed.claims()).to.include({ iss: issuer, sub: user.user_id, aud: app.client_id });
    expect(decodeJwt(refreshed.access_token).sub).to.equal(user.user_id);
    expect((await echo(refreshed.access_token)).status).to.equal(200);

    const narrowed = await oc.refreshTokenGrant(config, refreshed.refresh_token!, { scope: 'openid offline_access' });
    expect(narrowed.scope).to.equal('openid offline_access');
    const wider = await rejection(oc.refreshTokenGrant(config, narrowed.refresh_token!, { scope: 'openid offline_access echo:write' }));
    expect(wider).to.be.instanceOf(oc.ResponseBodyError);
    expect(wider.error).to.equal('invalid_scope');
  });

  it('gets a client credentials token for a service client, narrowed to the asked scope', async () => {
    const serviceConfig = await oc.discovery(new URL(issuer), service.client_id, service.client_secret, undefined, { execute: [oc.allowInsecureRequests] });
    const tokens = await oc.clientCredentialsGrant(serviceConfig, { scope: 'echo:read' });
    expect(tokens.token_type.toLowerCase()).to.equal('bearer');
    expect(tokens.scope).to.equal('echo:read');
    expect(tokens.refresh_token).to.equal(undefined);
    expect(decodeJwt(tokens.access_token)).to.include({ iss: issuer, sub: service.client_id, client_id: service.client_id, scope: 'echo:read' });
    const res = await echo(tokens.access_token);
    expect(res.status).to.equal(200);
    expect((await res.json()).identity).to.include({ 'x-portcullis-subject': service.client_id, 'x-portcullis-roles': 'echo-reader' });

    const refused = await rejection(oc.clientCredentialsGrant(serviceConfig, { scope: 'echo:write' }));
    expect(refused).to.be.instanceOf(oc.ResponseBodyError);
    expect(refused.error).to.equal('invalid_scope');
    // The web app is not a service: the grant is refused to it.
    const notService = await rejection(oc.clientCredentialsGrant(config, { scope: 'echo:read' }));
    expect(notService).to.be.instanceOf(oc.ResponseBodyError);
    expect(notService.error).to.equal('unauthorized_client');
  });

  it('introspects and revokes: a revoked refresh token takes its access tokens with it', async () => {
    const { callbackUrl, checks } = await authorize();
    const tokens = await oc.authorizationCodeGrant(config, callbackUrl, checks);

    const access = await oc.tokenIntrospection(config, tokens.access_token);
    expect(access).to.include({ active: true, sub: user.user_id, client_id: app.client_id, iss: issuer, scope: 'openid profile email offline_access' });
    expect(access.token_type).to.equal('Bearer');
    const refresh = await oc.tokenIntrospection(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(refresh).to.include({ active: true, token_type: 'refresh_token', sub: user.user_id, client_id: app.client_id });

    await oc.tokenRevocation(config, tokens.refresh_token!, { token_type_hint: 'refresh_token' });
    expect(await oc.tokenIntrospection(config, tokens.refresh_token!)).to.deep.equal({ active: false });
    expect(await oc.tokenIntrospection(config, tokens.access_token)).to.deep.equal({ active: false });
    const refreshAfter = await rejection(oc.refreshTokenGrant(config, tokens.refresh_token!));
    expect(refreshAfter).to.be.instanceOf(oc.ResponseBodyError);
    expect(refreshAfter.error).to.equal('invalid_grant');
    // The guard caches for at most cacheMs (500 ms): within a second the gateway refuses it too.
    const since = Date.now();
    let status = (await echo(tokens.access_token)).status;
    while (status === 200 && Date.now() - since < 1500) status = (await echo(tokens.access_token)).status;
    expect(status).to.equal(401);

    // An access token revoked on its own.
    const other = await authorize();
    const second = await oc.authorizationCodeGrant(config, other.callbackUrl, other.checks);
    await oc.tokenRevocation(config, second.access_token, { token_type_hint: 'access_token' });
    expect(await oc.tokenIntrospection(config, second.access_token)).to.deep.equal({ active: false });
    expect((await oc.tokenIntrospection(config, second.refresh_token!)).active).to.equal(true);
  });
});
