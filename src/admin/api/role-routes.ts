import type { Request } from 'express';
import type { RoleDefinition } from '../../applications/permissions';
import { ValidationError } from '../../errors/domain-errors';
import type { AdminRoute } from './admin-route';
import { onlyFields, optionalString, optionalStrings, requiredString } from './input';

const body = (req: Request) => (req.body ?? {}) as Record<string, unknown>;
const application = (req: Request) => String(req.params.application);
const role = (req: Request) => String(req.params.role);

/** A role as the API shows it: `source` says whether it can be edited (`admin`) or comes from YAML (`settings`). */
function roleJson(r: RoleDefinition) {
  return { name: r.name, description: r.description ?? null, permissions: r.permissions, source: r.source, read_only: r.source === 'settings' };
}

const roleBody = {
  name: { type: 'string', description: 'Role name: 1-64 letters, digits, _ . : - (renaming renames it at its holders)', required: true },
  description: { type: 'string', description: 'What the role is for (max 500)' },
  permissions: { type: 'array', description: "Permissions the role grants: each one the application declares (GET /applications lists them)", required: true },
};

/** `?remove_from_holders=true`: the only spellings that mean yes; anything else but absent is a mistake. */
function removeFromHolders(req: Request): boolean {
  const value = req.query.remove_from_holders;
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new ValidationError('remove_from_holders', 'remove_from_holders must be true or false');
}

/** The roles of an application: YAML ones read-only, the ones admins make editable. */
export const ROLE_ROUTES: AdminRoute[] = [
  { method: 'get', path: '/applications/{application}/roles', summary: 'The roles of an application: from the settings (read-only) and made by admins', status: 200,
    handle: async (p, _a, req) => (await p.admin.listRoles(application(req))).map(roleJson) },
  { method: 'post', path: '/applications/{application}/roles', summary: 'Create a role: a name, a description and some of the declared permissions', status: 201, body: roleBody,
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, ['name', 'description', 'permissions']);
      const permissions = optionalStrings(b, 'permissions');
      if (permissions === undefined) throw new ValidationError('permissions', 'permissions is required');
      return roleJson(await p.admin.createRole(actor, application(req), { name: requiredString(b, 'name'), description: optionalString(b, 'description'), permissions }));
    } },
  { method: 'get', path: '/applications/{application}/roles/{role}', summary: 'One role and the clients and users that hold it', status: 200,
    handle: async (p, _a, req) => {
      const { holders, ...found } = await p.admin.getRole(application(req), role(req));
      return { ...roleJson(found), holders: { clients: holders.clients.map((c) => ({ client_id: c.clientId, name: c.name })), users: holders.users.map((u) => ({ id: u.userId, username: u.username })) } };
    } },
  { method: 'patch', path: '/applications/{application}/roles/{role}', summary: 'Rename a role or change its description or permissions (roles from the settings are read-only: 409)', status: 200,
    body: { ...roleBody, name: { ...roleBody.name, required: false }, permissions: { ...roleBody.permissions, required: false } },
    handle: async (p, actor, req) => {
      const b = body(req);
      onlyFields(b, ['name', 'description', 'permissions']);
      return roleJson(await p.admin.updateRole(actor, application(req), role(req), { name: optionalString(b, 'name'), description: optionalString(b, 'description'), permissions: optionalStrings(b, 'permissions') }));
    } },
  { method: 'delete', path: '/applications/{application}/roles/{role}', summary: 'Delete a role; one that clients or users hold is refused (409, naming them) unless ?remove_from_holders=true', status: 200,
    query: { remove_from_holders: { type: 'boolean', description: 'true: take the role from every client and user that holds it, then delete it' } },
    handle: async (p, actor, req) => roleJson(await p.admin.deleteRole(actor, application(req), role(req), { removeFromHolders: removeFromHolders(req) })) },
];
