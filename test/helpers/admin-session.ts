import { expect } from 'chai';
import request from 'supertest';
import type { AdminRole } from '../../src/users/user';
import { formFields, query, type Agent } from './browser-flow';
import type { TestServer } from './test-portcullis';

/**
 * Fixtures for the admin area over HTTP: admins (users with an admin role) signed in with a
 * supertest agent, the CSRF token the admin API and the admin pages want, and automation clients
 * (service clients with an admin role) holding a client_credentials bearer token.
 */

export const API = '/admin/api/v1';
export const ADMIN_PASSWORD = 'admin password 4 tests';

export interface AdminUser {
  userId: string;
  username: string;
  password: string;
  adminRole?: AdminRole;
}

let sequence = 0;
/** A name no other fixture of this process uses. */
export const uniqueName = (prefix: string) => `${prefix}${++sequence}`;

/** A user straight in the registry; `adminRole` makes it an admin or super admin. */
export async function makeUser(server: TestServer, options: { adminRole?: AdminRole; username?: string; password?: string; roles?: Record<string, string[]> } = {}): Promise<AdminUser> {
  const username = options.username ?? uniqueName(options.adminRole ? options.adminRole.replace('-', '') : 'user');
  const password = options.password ?? ADMIN_PASSWORD;
  const user = await server.portcullis.users.create({ username, password, roles: options.roles ?? { echo: ['echo-reader'] }, ...(options.adminRole ? { adminRole: options.adminRole } : {}) });
  return { userId: user.userId, username, password, adminRole: options.adminRole };
}

/** Signs `user` in at /login (with `return_to`) in a fresh agent, or in `agent`; returns the 303 to `returnTo`. */
export async function signInAt(server: TestServer, user: { username: string; password: string }, returnTo = '/admin/apps', agent: Agent = request.agent(server.app)): Promise<{ agent: Agent; res: request.Response }> {
  const form = await agent.get(`/login?${query({ return_to: returnTo })}`);
  expect(form.status, form.text).to.equal(200);
  const res = await agent.post('/login').type('form').send(query({ ...formFields(form.text), username: user.username, password: user.password }));
  return { agent, res };
}

/** A fresh agent signed in as `user` (asserts the sign-in worked). */
export async function signedIn(server: TestServer, user: { username: string; password: string }): Promise<Agent> {
  const { agent, res } = await signInAt(server, user);
  expect(res.status, res.text).to.equal(303);
  expect(res.headers.location).to.equal('/admin/apps');
  return agent;
}

/** An admin API session: the agent plus the X-CSRF-Token that `GET /session` hands out. */
export interface ApiSession {
  agent: Agent;
  csrf: string;
}

export async function apiSession(server: TestServer, user: { username: string; password: string }): Promise<ApiSession> {
  const agent = await signedIn(server, user);
  const res = await agent.get(`${API}/session`);
  expect(res.status, res.text).to.equal(200);
  expect(res.body.csrf_token).to.be.a('string').and.not.be.empty;
  return { agent, csrf: res.body.csrf_token };
}

/** RFC 6749 §4.4: a client_credentials token for a service client. */
export async function clientCredentialsToken(server: TestServer, clientId: string, clientSecret: string): Promise<string> {
  const res = await request(server.app).post('/oauth2/token').auth(clientId, clientSecret).type('form').send('grant_type=client_credentials');
  expect(res.status, res.text).to.equal(200);
  return res.body.access_token;
}

export interface AutomationClient {
  clientId: string;
  clientSecret: string;
  token: string;
}

/** A service client (with `adminRole`, or none) and a bearer token for it. */
export async function automationClient(server: TestServer, adminRole?: AdminRole): Promise<AutomationClient> {
  const { client, clientSecret } = await server.portcullis.clients.create({ name: uniqueName(`automation ${adminRole ?? 'none'} `), application: 'echo', type: 'service', roles: ['echo-reader'], ...(adminRole ? { adminRole } : {}) });
  return { clientId: client.clientId, clientSecret: clientSecret!, token: await clientCredentialsToken(server, client.clientId, clientSecret!) };
}

/** The CSRF token of an admin page's forms. */
export function pageCsrf(html: string): string {
  const token = /name="csrf_token" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'the page has a csrf_token field').to.be.a('string');
  return token!;
}

/** Decodes the HTML entities the page templates write (`&#39;`, `&amp;`...). */
export function unescapeHtml(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
