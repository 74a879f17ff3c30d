import { grantablePermissions, roleDefinitions, type RoleDefinition, type StoredRole, type StoredRoles } from '../applications/permissions';
import type { ClientView } from '../clients/client';
import type { ClientRegistry } from '../clients/client-registry';
import type { ApplicationSettings } from '../config/settings';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors';
import { quotedExcerpt } from '../errors/error-description';
import type { Store } from '../store/store';
import { updateRecord } from '../store/update-record';
import type { UserView } from '../users/user';
import type { UserRegistry } from '../users/user-registry';

/**
 * The store kind of the roles admins make: one record per application (its id is the application),
 * so the guard's cache of an application's roles is dropped by one change notification, and a
 * rename is one write.
 */
export const ROLES_KIND = 'roles';

interface RolesRecord {
  roles: Record<string, StoredRole>;
}

/** The same rule as YAML role names (settings.schema.json). */
const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/** The roles admins made in `application` (none when no record exists). */
export async function readStoredRoles(store: Pick<Store, 'get'>, application: string): Promise<StoredRoles> {
  return (await store.get<RolesRecord>(ROLES_KIND, application))?.value.roles ?? {};
}

export interface NewRole {
  name: string;
  description?: string;
  permissions: string[];
}

export interface RoleChanges {
  /** A new name: holders are renamed with it. */
  name?: string;
  description?: string;
  permissions?: string[];
}

/** Who holds a role: the clients and users that would lose it. */
export interface RoleHolders {
  clients: Array<Pick<ClientView, 'clientId' | 'name'>>;
  users: Array<Pick<UserView, 'userId' | 'username'>>;
}

/** What the registry uses: the store, the declared applications, the holders' registries, the clock. */
export interface RoleRegistryDeps {
  store: Store;
  applications: Record<string, ApplicationSettings>;
  clients: Pick<ClientRegistry, 'list' | 'edit'>;
  users: Pick<UserRegistry, 'list' | 'update'>;
  now: () => number;
}

/**
 * The roles admins make: a name, a description and a set of the application's declared
 * permissions. YAML roles are read-only here (ops change them in the settings). Renaming renames
 * the role at its holders; deleting a held role is refused with the holders, unless asked to
 * remove it from them. What a role grants is computed only in src/applications/permissions.ts.
 */
export class RoleRegistry {
  constructor(private readonly p: RoleRegistryDeps) {}

  /** Every role of `application`, YAML first. */
  async list(application: string): Promise<RoleDefinition[]> {
    return roleDefinitions(this.application(application), await readStoredRoles(this.p.store, application));
  }

  async get(application: string, name: string): Promise<RoleDefinition> {
    const role = (await this.list(application)).find((r) => r.name === name);
    if (!role) throw new NotFoundError('role', name);
    return role;
  }

  async create(application: string, input: NewRole): Promise<RoleDefinition> {
    const app = this.application(application);
    const name = checkName(input.name);
    if (Object.hasOwn(app.roles, name)) throw new ConflictError(`role ${JSON.stringify(name)} is declared in the settings (YAML) of ${application}`);
    const role: StoredRole = { ...checkDescription(input.description), permissions: this.checkPermissions(app, application, input.permissions), createdAt: this.p.now(), updatedAt: this.p.now() };
    await this.p.store.create<RolesRecord>(ROLES_KIND, application, { roles: {} });
    await updateRecord<RolesRecord>(this.p.store, ROLES_KIND, application, 'roles of application', (current) => {
      if (Object.hasOwn(current.roles, name)) throw new ConflictError(`application ${application} already has a role ${JSON.stringify(name)}`);
      return { roles: { ...current.roles, [name]: role } };
    });
    return this.get(application, name);
  }

  /** Edits a stored role; a new name is given to its holders too, so nobody loses it. */
  async update(application: string, name: string, changes: RoleChanges): Promise<{ role: RoleDefinition; changed: string[] }> {
    const app = this.application(application);
    const before = await this.editable(application, name);
    const newName = changes.name === undefined ? name : checkName(changes.name);
    if (newName !== name && (Object.hasOwn(app.roles, newName) || Object.hasOwn(await readStoredRoles(this.p.store, application), newName))) {
      throw new ConflictError(`application ${application} already has a role ${JSON.stringify(newName)}`);
    }
    const permissions = changes.permissions === undefined ? undefined : this.checkPermissions(app, application, changes.permissions);
    const description = changes.description === undefined ? undefined : checkDescription(changes.description);
    await updateRecord<RolesRecord>(this.p.store, ROLES_KIND, application, 'roles of application', (current) => {
      if (!Object.hasOwn(current.roles, name)) throw new NotFoundError('role', name);
      if (newName !== name && Object.hasOwn(current.roles, newName)) throw new ConflictError(`application ${application} already has a role ${JSON.stringify(newName)}`);
      const { [name]: role, ...others } = current.roles;
      const next: StoredRole = { ...role, updatedAt: this.p.now() };
      if (permissions) next.permissions = permissions;
      if (description) {
        delete next.description;
        Object.assign(next, description);
      }
      return { roles: { ...others, [newName]: next } };
    });
    if (newName !== name) await this.renameAtHolders(application, name, newName);
    const role = await this.get(application, newName);
    const changed = [
      ...(newName !== name ? ['name'] : []),
      ...(description && (description.description ?? '') !== (before.description ?? '') ? ['description'] : []),
      ...(permissions && JSON.stringify(permissions) !== JSON.stringify(before.permissions) ? ['permissions'] : []),
    ];
    return { role, changed };
  }

  /**
   * Deletes a stored role. Held roles are refused with the list of holders, unless
   * `removeFromHolders`: then the role is taken from each holder first.
   */
  async delete(application: string, name: string, options: { removeFromHolders?: boolean } = {}): Promise<{ role: RoleDefinition; holders: RoleHolders }> {
    const role = await this.editable(application, name);
    const holders = await this.holders(application, name);
    const held = holders.clients.length + holders.users.length;
    if (held && !options.removeFromHolders) throw new ConflictError(`role ${JSON.stringify(name)} is held by ${describeHolders(holders)}: take it from them first, or delete it with remove_from_holders`);
    if (held) await this.renameAtHolders(application, name, undefined);
    await updateRecord<RolesRecord>(this.p.store, ROLES_KIND, application, 'roles of application', (current) => {
      const { [name]: _gone, ...others } = current.roles;
      return { roles: others };
    });
    return { role, holders };
  }

  /** The clients of `application` and the users that hold `name` there. */
  async holders(application: string, name: string): Promise<RoleHolders> {
    this.application(application);
    const [clients, users] = await Promise.all([this.p.clients.list(), this.p.users.list()]);
    return {
      clients: clients.filter((c) => c.application === application && c.roles.includes(name)).map(({ clientId, name: n }) => ({ clientId, name: n })),
      users: users.filter((u) => (u.roles[application] ?? []).includes(name)).map(({ userId, username }) => ({ userId, username })),
    };
  }

  /** Replaces `from` by `to` (or removes it, for undefined) at every holder. */
  private async renameAtHolders(application: string, from: string, to: string | undefined): Promise<void> {
    const swap = (roles: readonly string[]) => [...new Set(roles.flatMap((r) => (r === from ? (to === undefined ? [] : [to]) : [r])))];
    const holders = await this.holders(application, from);
    const [clients, users] = await Promise.all([this.p.clients.list(), this.p.users.list()]);
    for (const c of clients.filter((c) => holders.clients.some((h) => h.clientId === c.clientId))) await this.p.clients.edit(c.clientId, { roles: swap(c.roles) });
    for (const u of users.filter((u) => holders.users.some((h) => h.userId === u.userId))) {
      await this.p.users.update(u.userId, { roles: { ...u.roles, [application]: swap(u.roles[application] ?? []) } });
    }
  }

  /** A stored role; a YAML role is refused, saying where it is changed. */
  private async editable(application: string, name: string): Promise<RoleDefinition> {
    const role = await this.get(application, name);
    if (role.source === 'settings') throw new ConflictError(`role ${JSON.stringify(name)} comes from the settings (YAML) and is read-only here: ops change it in applications.${application}.roles`);
    return role;
  }

  private application(application: string): ApplicationSettings {
    if (!Object.hasOwn(this.p.applications, application)) throw new NotFoundError('application', application);
    return this.p.applications[application];
  }

  private checkPermissions(app: ApplicationSettings, application: string, permissions: unknown): string[] {
    if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === 'string')) throw new ValidationError('permissions', 'permissions must be a list of strings');
    const declared = grantablePermissions(app);
    const unknown = permissions.filter((p) => !declared.has(p));
    if (unknown.length) {
      throw new ValidationError('permissions', `application ${application} declares no permission${quotedExcerpt(unknown[0])} (declared: ${[...declared].join(', ')})`);
    }
    return [...new Set(permissions as string[])];
  }
}

function checkName(value: unknown): string {
  if (typeof value !== 'string' || !ROLE_NAME.test(value)) throw new ValidationError('name', 'a role name is 1-64 characters: letters, digits, _ . : - (starting with a letter or digit)');
  return value;
}

function checkDescription(value: unknown): { description?: string } {
  if (value === undefined) return {};
  if (typeof value !== 'string' || value.trim().length > 500) throw new ValidationError('description', 'description must be text of at most 500 characters');
  return value.trim() ? { description: value.trim() } : {};
}

/** "2 clients (reports-bot, etl) and 1 user (dana)": at most 10 names each. */
export function describeHolders(holders: RoleHolders): string {
  const part = (count: number, what: string, names: string[]) =>
    count ? `${count} ${what}${count === 1 ? '' : 's'} (${names.slice(0, 10).join(', ')}${count > 10 ? ', ...' : ''})` : '';
  return [part(holders.clients.length, 'client', holders.clients.map((c) => c.name)), part(holders.users.length, 'user', holders.users.map((u) => u.username))].filter(Boolean).join(' and ');
}
