import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import type { PortcullisSettings } from '../../src/config/settings';
import type { StoreBackend } from './each-store';
import { ISSUER, startTestServer, type TestServer } from './test-portcullis';
import { expectSentTo } from './wire-expect';

/**
 * Drives the browser side of the authorization code flow over HTTP with a supertest agent (which
 * keeps the issuer's session and CSRF cookies), one step at a time, plus the fixtures and token
 * calls every wire suite shares. Each step returns the raw response so suites can assert on it.
 */

export type Agent = ReturnType<typeof request.agent>;
export type Res = request.Response;

export const PASSWORD = 'correct horse battery staple';
export const APP_ORIGIN = 'https://app.example';
export const REDIRECT_URI = `${APP_ORIGIN}/callback`;
export const AUTHORIZE_PATH = '/oauth2/authorize';

export interface FlowUser {
  userId: string;
  username: string;
  password: string;
  email?: string;
  name?: string;
}

export interface FlowApp {
  clientId: string;
  clientSecret?: string;
  name: string;
  type: 'web' | 'public';
  redirectUri: string;
}

let sequence = 0;
// A random tail: several suites share one store in some files, and usernames must not collide.
const unique = (prefix: string) => `${prefix}${++sequence}${randomBytes(3).toString('hex')}`;

/** A user with the echo-reader role (unless `roles` says otherwise). */
export async function createUser(server: TestServer, overrides: Partial<{ username: string; email: string; name: string; roles: Record<string, string[]> }> = {}): Promise<FlowUser> {
  const username = overrides.username ?? unique('user');
  const input = { username, password: PASSWORD, email: `${username}@example.com`, name: `Name of ${username}`, roles: { echo: ['echo-reader'] }, ...overrides };
  const user = await server.portcullis.users.create(input);
  return { userId: user.userId, username, password: PASSWORD, email: input.email, name: input.name };
}

/** An interactive app of the echo application: `web` (confidential) or `public` (PKCE only). */
export async function createApp(
  server: TestServer,
  options: Partial<{ type: 'web' | 'public'; name: string; redirectUris: string[]; allowedOrigins: string[] }> = {},
): Promise<FlowApp> {
  const type = options.type ?? 'web';
  const name = options.name ?? unique(`${type} app `);
  const redirectUris = options.redirectUris ?? [REDIRECT_URI];
  const { client, clientSecret } = await server.portcullis.clients.create({ name, application: 'echo', type, redirectUris, allowedOrigins: options.allowedOrigins ?? [APP_ORIGIN] });
  return { clientId: client.clientId, clientSecret, name, type, redirectUri: redirectUris[0] };
}

/** A test server with a confidential web app, a public app and a user (echo roles as given). */
export async function startFlowServer(options: { settings?: PortcullisSettings; roles?: string[]; accessLog?: (line: string) => void; store?: StoreBackend } = {}): Promise<{ server: TestServer; web: FlowApp; pub: FlowApp; user: FlowUser }> {
  const server = await startTestServer({ settings: options.settings, accessLog: options.accessLog, store: options.store });
  const [web, pub, user] = await Promise.all([createApp(server), createApp(server, { type: 'public' }), createUser(server, { roles: { echo: options.roles ?? ['echo-reader'] } })]);
  return { server, web, pub, user };
}

/** RFC 7636 §4.1/§4.2: a 43-character verifier and its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

type Params = Record<string, string | undefined>;

/** A query string; `undefined` values are left out (so a default can be removed). */
export function query(params: Params): string {
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined)).toString();
}

/** The usual authorization request of `app`, with `overrides` on top. */
export function authorizeParams(app: FlowApp, overrides: Params = {}): Params {
  return { response_type: 'code', client_id: app.clientId, redirect_uri: app.redirectUri, scope: 'echo:read', state: unique('state-'), ...overrides };
}

/** GET /oauth2/authorize with these parameters. */
export function startAuthorization(agent: Agent, params: Params): Promise<Res> {
  return agent.get(`${AUTHORIZE_PATH}?${query(params)}`);
}

/** The hidden and named inputs of the page's forms (first occurrence wins), HTML entities decoded. */
export function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [input] of html.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input)?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input)?.[1] ?? '';
    if (name && !(name in fields)) fields[name] = value.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
  }
  return fields;
}

/** The 303's Location, asserted present. */
export function locationOf(res: Res): string {
  expect(res.status, res.text).to.equal(303);
  expect(res.headers.location).to.be.a('string');
  return res.headers.location;
}

/** GETs the page at `location` (a local path) and posts its form with `extra` fields. */
async function submitPage(agent: Agent, location: string, action: string, extra: Params): Promise<Res> {
  const page = await agent.get(location);
  expect(page.status, page.text).to.equal(200);
  return agent.post(action).type('form').send(query({ ...formFields(page.text), ...extra }));
}

/** At the sign-in page `location`: post the username and password with the form's CSRF token. */
export function signIn(agent: Agent, location: string, user: { username: string; password: string }): Promise<Res> {
  return submitPage(agent, location, '/login', { username: user.username, password: user.password });
}

/** At the consent page `location`: press Allow or Deny. */
export function decide(agent: Agent, location: string, decision: 'allow' | 'deny'): Promise<Res> {
  return submitPage(agent, location, '/oauth2/consent', { decision });
}

/**
 * Follows 303s inside the issuer until the browser would leave it (or lands on a page), signing
 * in and deciding on consent on the way. Returns the last response.
 */
export async function followFlow(agent: Agent, res: Res, user: { username: string; password: string }, decision: 'allow' | 'deny' = 'allow'): Promise<Res> {
  for (let steps = 0; steps < 10 && res.status === 303 && res.headers.location.startsWith('/'); steps++) {
    const location: string = res.headers.location;
    if (location.startsWith('/login')) res = await signIn(agent, location, user);
    else if (location.startsWith('/oauth2/consent')) res = await decide(agent, location, decision);
    else res = await agent.get(location);
  }
  return res;
}

/** The client's view of the final redirect: its URL and query parameters. */
export function clientRedirect(res: Res, redirectUri: string): URL {
  const url = new URL(locationOf(res));
  expectSentTo(url, redirectUri);
  return url;
}

export interface CodeResult {
  code: string;
  url: URL;
  agent: Agent;
  verifier?: string;
  state?: string;
}

/**
 * The whole browser side: authorize (with S256 PKCE unless `pkce: false`), sign in, allow, and
 * return the code with the redirect it arrived on. Pass `agent` to reuse a signed-in browser.
 */
export async function authorizeAndGetCode(
  server: TestServer,
  options: { app: FlowApp; user: FlowUser; params?: Params; agent?: Agent; pkce?: boolean },
): Promise<CodeResult> {
  const agent = options.agent ?? request.agent(server.app);
  const pkce = options.pkce === false ? undefined : pkcePair();
  const pkceParams = pkce ? { code_challenge: pkce.challenge, code_challenge_method: 'S256' } : {};
  const params = authorizeParams(options.app, { ...pkceParams, ...options.params });
  const final = await followFlow(agent, await startAuthorization(agent, params), options.user);
  const url = clientRedirect(final, options.app.redirectUri);
  const code = url.searchParams.get('code');
  expect(code, url.toString()).to.be.a('string');
  expect(url.searchParams.get('iss')).to.equal(ISSUER);
  return { code: code!, url, agent, verifier: pkce?.verifier, state: params.state };
}

/** How the client authenticates at the token, revocation and introspection endpoints. */
export type ClientAuth = 'basic' | 'post' | 'none';

/** POSTs a form to an issuer endpoint as `app`; web apps default to Basic, public apps to client_id only. */
export function postAs(server: TestServer, path: string, app: FlowApp, form: Params, auth: ClientAuth = app.clientSecret ? 'basic' : 'none'): request.Test {
  const test = request(server.app).post(path).type('form');
  if (auth === 'basic') test.auth(app.clientId, app.clientSecret ?? '');
  const credentials = auth === 'post' ? { client_id: app.clientId, client_secret: app.clientSecret } : auth === 'none' ? { client_id: app.clientId } : {};
  return test.send(query({ ...form, ...credentials }));
}

/** RFC 6749 §4.1.3: the code exchange. */
export function redeemCode(server: TestServer, app: FlowApp, result: Pick<CodeResult, 'code' | 'verifier'>, extra: Params = {}, auth?: ClientAuth): request.Test {
  const form = { grant_type: 'authorization_code', code: result.code, redirect_uri: app.redirectUri, code_verifier: result.verifier, ...extra };
  return postAs(server, '/oauth2/token', app, form, auth);
}

/** RFC 6749 §6: a refresh. */
export function refresh(server: TestServer, app: FlowApp, refreshToken: string, extra: Params = {}): request.Test {
  return postAs(server, '/oauth2/token', app, { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra });
}

/** Authorize, sign in, allow, redeem: the token response body (asserted 200). */
export async function obtainTokens(server: TestServer, options: { app: FlowApp; user: FlowUser; params?: Params; agent?: Agent }): Promise<Record<string, any>> {
  const res = await redeemCode(server, options.app, await authorizeAndGetCode(server, options));
  expect(res.status, res.text).to.equal(200);
  return res.body;
}

/** GET (or `method`) /echo/x with the access token: the guard's status. */
export async function echoStatus(server: TestServer, accessToken: string, method: 'get' | 'post' = 'get'): Promise<number> {
  return (await request(server.app)[method]('/echo/x').set('Authorization', `Bearer ${accessToken}`)).status;
}

/**
 * The guard refuses `accessToken` (401) once `cacheMs` (at most a second) has passed: the guard's
 * caches expire on the product's clock, so the test clock is moved past them (no sleep, no polling).
 */
export async function refusedWithinASecond(server: TestServer, accessToken: string): Promise<void> {
  server.now.ms += server.portcullis.settings.cacheMs + 1;
  expect(await echoStatus(server, accessToken), 'the guard refuses the access token once cacheMs has passed').to.equal(401);
}
