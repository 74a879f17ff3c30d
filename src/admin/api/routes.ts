import type { Request } from 'express';
import { clientJson } from '../../clients/client-json';
import type { Client } from '../../clients/client';
import { ValidationError } from '../../errors/domain-errors';
import { PASSWORD_MIN_LENGTH } from '../../users/password-rule';
import { userJson } from '../../users/user-json';
import { onlyFields, optionalAdminRole, optionalRoleMap, optionalString, optionalStrings, requiredString } from './input';

import type { AdminRoute } from './admin-route';
import { ROLE_ROUTES } from './role-routes';

export type { AdminRoute, AdminRouteDeps } from './admin-route';

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const id = (req: Request) => String(req.params.id);
const APP_FIELDS = ['name', 'description', 'application', 'type', 'redirect_uris', 'allowed_origins', 'roles', 'admin_role', 'api_key'];
const USER_FIELDS = ['username', 'password', 'email', 'name', 'roles', 'admin_role', 'status'];

function appType(value: string | undefined): Client['type'] | undefined {
  if (value === undefined || value === 'web' || value === 'public' || value === 'service') return value;
  throw new ValidationError('type', 'type must be web, public or service');
}

function userStatus(value: string | undefined): 'active' | 'disabled' | undefined {
  if (value === undefined || value === 'active' || value === 'disabled') return value;
  throw new ValidationError('status', 'status must be active or disabled');
}

const appBody = {
  name: { type: 'string', description: 'Display name shown on the consent screen (max 255)', required: true },
  description: { type: 'string', description: 'Internal description (max 500)' },
  application: { type: 'string', description: 'The one application this app is linked to (create only)', required: true },
  type: { type: 'string', description: 'web (secret), public (PKCE, no secret) or service (client credentials); create only' },
  redirect_uris: { type: 'array', description: 'Redirect URIs, matched exactly, with any port on http://127.0.0.1 and http://[::1] (required for web and public apps)' },
  allowed_origins: { type: 'array', description: 'Browser origins allowed by CORS' },
  roles: { type: 'array', description: 'Roles of a service client in its application' },
  admin_role: { type: 'string', description: 'admin or super-admin for automation clients (super admins only); null removes' },
  api_key: { type: 'boolean', description: 'true: issue an API key with the credentials (create only; not for public apps); the response holds it, shown only this once' },
};

function optionalBoolean(b: Record<string, unknown>, field: string): boolean | undefined {
  const value = b[field];
  if (value === undefined || typeof value === 'boolean') return value;
  throw new ValidationError(field, `${field} must be true or false`);
}

/** An API key as issued (shown once) or as it stands (`issued_at` only; the key itself is never kept). */
const apiKeyJson = (key: { issuedAt: number } | undefined, apiKey?: string) =>
  key ? { ...(apiKey ? { api_key: apiKey } : {}), issued_at: new Date(key.issuedAt).toISOString() } : null;

const userBody = {
  username: { type: 'string', description: 'Sign-in name (create only)', required: true },
  password: { type: 'string', description: `At least ${PASSWORD_MIN_LENGTH} characters`, required: true },
  email: { type: 'string', description: 'Email address' },
  name: { type: 'string', description: 'Display name' },
  roles: { type: 'object', description: 'Roles per application, e.g. {"echo": ["echo-reader"]}' },
  admin_role: { type: 'string', description: 'admin or super-admin (super admins only); null removes' },
  status: { type: 'string', description: 'active or disabled (disabled revokes sessions and grants)' },
};

/** `fields` without `left` (the OpenAPI document must list exactly what each route accepts). */
function without<T extends object>(fields: T, ...left: string[]): T {
  return Object.fromEntries(Object.entries(fields).filter(([name]) => !left.includes(name))) as T;
}

/** The admin REST API. */
export const ADMIN_ROUTES: AdminRoute[] = [
  { method: 'get', path: '/session', summary: 'Who is calling; for a browser session also the CSRF token to send as X-CSRF-Token', status: 200,
    handle: async (p, actor, req, res) => ({ actor: { type: actor.type, id: actor.id, name: actor.name, admin_role: actor.adminRole }, csrf_token: p.csrf.token(req, res) }) },
  { method: 'get', path: '/applications', summary: 'The declared applications (protected APIs), their YAML roles and their declared permissions', status: 200,
    handle: async (p) => Object.entries(p.settings.applications).map(([name, a]) => ({ name, audience: a.audience, description: a.description ?? null, roles: a.roles, permissions: a.permissions })) },
  { method: 'get', path: '/apps', summary: 'List apps (OAuth clients)', status: 200, handle: async (p) => (await p.admin.listApps()).map((c) => clientJson(c)) },
  { method: 'post', path: '/apps', summary: 'Create an app; the response holds the secret, shown only this once', status: 201, body: appBody,
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, APP_FIELDS);
      const created = await p.admin.createApp(actor, {
        name: requiredString(b, 'name'), description: optionalString(b, 'description'), application: requiredString(b, 'application'),
        type: appType(optionalString(b, 'type')) ?? 'web', redirectUris: optionalStrings(b, 'redirect_uris'), allowedOrigins: optionalStrings(b, 'allowed_origins'),
        roles: optionalStrings(b, 'roles'), adminRole: optionalAdminRole(b) ?? undefined, apiKey: optionalBoolean(b, 'api_key'),
      });
      return { ...clientJson(created.client, created.clientSecret), ...(created.apiKey ? { api_key: created.apiKey } : {}) };
    } },
  { method: 'get', path: '/apps/{id}', summary: 'One app', status: 200, handle: async (p, _a, req) => clientJson(await p.admin.getApp(id(req))) },
  { method: 'patch', path: '/apps/{id}', summary: 'Edit name, description, redirect URIs, origins, roles', status: 200, body: without(appBody, 'application', 'type', 'api_key'),
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, APP_FIELDS.filter((f) => f !== 'application' && f !== 'type' && f !== 'api_key'));
      return clientJson(await p.admin.updateApp(actor, id(req), {
        name: optionalString(b, 'name'), description: optionalString(b, 'description'), redirectUris: optionalStrings(b, 'redirect_uris'),
        allowedOrigins: optionalStrings(b, 'allowed_origins'), roles: optionalStrings(b, 'roles'), adminRole: optionalAdminRole(b),
      }));
    } },
  { method: 'post', path: '/apps/{id}/secret', summary: 'Regenerate the secret: the old one stops working at once; the new one is shown once', status: 200,
    handle: async (p, actor, req) => {
      const rotated = await p.admin.regenerateSecret(actor, id(req));
      return clientJson(rotated.client, rotated.clientSecret);
    } },
  { method: 'get', path: '/apps/{id}/api-key', summary: 'When the app\'s API key was issued ({"api_key": null} without one); the key itself is never shown again', status: 200,
    handle: async (p, _a, req) => {
      await p.admin.getApp(id(req));
      return { api_key: apiKeyJson(await p.admin.apiKeyOf(id(req))) };
    } },
  { method: 'post', path: '/apps/{id}/api-key', summary: 'Issue an API key, or rotate it: the old key stops working at once; the new one is shown once', status: 200,
    handle: async (p, actor, req) => {
      const issued = await p.admin.issueApiKey(actor, id(req));
      return { client_id: issued.app.clientId, api_key: apiKeyJson(issued, issued.apiKey) };
    } },
  { method: 'post', path: '/apps/{id}/api-key/revoke', summary: 'Revoke the API key: requests that need it are refused from now on (409 without a key)', status: 200,
    handle: async (p, actor, req) => {
      const app = await p.admin.revokeApiKey(actor, id(req));
      return { client_id: app.clientId, api_key: null };
    } },
  { method: 'post', path: '/apps/{id}/deactivate', summary: 'Deactivate: no authentication, refresh tokens and consents revoked, access tokens refused within 1 s', status: 200,
    handle: async (p, actor, req) => clientJson(await p.admin.deactivateApp(actor, id(req))) },
  { method: 'post', path: '/apps/{id}/reactivate', summary: 'Reactivate (users must authorize again)', status: 200,
    handle: async (p, actor, req) => clientJson(await p.admin.reactivateApp(actor, id(req))) },
  { method: 'get', path: '/users', summary: 'List users', status: 200, handle: async (p) => (await p.admin.listUsers()).map(userJson) },
  { method: 'post', path: '/users', summary: 'Create a user', status: 201, body: without(userBody, 'status'),
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, USER_FIELDS.filter((f) => f !== 'status'));
      return userJson(await p.admin.createUser(actor, {
        username: requiredString(b, 'username'), password: requiredString(b, 'password'), email: optionalString(b, 'email'),
        name: optionalString(b, 'name'), roles: optionalRoleMap(b, 'roles'), adminRole: optionalAdminRole(b) ?? undefined,
      }));
    } },
  { method: 'get', path: '/users/{id}', summary: 'One user', status: 200, handle: async (p, _a, req) => userJson(await p.admin.getUser(id(req))) },
  { method: 'patch', path: '/users/{id}', summary: 'Edit email, name, password, roles, admin role or status', status: 200, body: without(userBody, 'username'),
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, USER_FIELDS.filter((f) => f !== 'username'));
      return userJson(await p.admin.updateUser(actor, id(req), {
        email: optionalString(b, 'email'), name: optionalString(b, 'name'), password: optionalString(b, 'password'),
        roles: optionalRoleMap(b, 'roles'), adminRole: optionalAdminRole(b), status: userStatus(optionalString(b, 'status')),
      }));
    } },
  ...ROLE_ROUTES,
  { method: 'get', path: '/audit', summary: 'The audit log, newest first (?limit=, ?app=, ?user=, ?role=<application>/<role>)', status: 200,
    handle: async (p, _a, req) => {
      const limit = Math.min(Math.max(Number(req.query.limit) || 200, 1), 1000);
      const target = typeof req.query.app === 'string' ? { type: 'app', id: req.query.app } : typeof req.query.user === 'string' ? { type: 'user', id: req.query.user }
        : typeof req.query.role === 'string' ? { type: 'role', id: req.query.role } : undefined;
      return p.admin.auditLog(limit, target);
    } },
];
