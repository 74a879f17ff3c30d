import type { ClientChanges, ClientRegistry, CreatedClient, NewClient } from '../clients/client-registry';
import type { ClientView } from '../clients/client';
import { checkKeyable, type ApiKeys, type ApiKeyView } from '../clients/api-keys';
import type { SigningAlgorithm } from '../config/settings';
import { ConflictError } from '../errors/domain-errors';
import { FieldChecks } from '../errors/field-problems';
import type { KeyRing } from '../keys/key-ring';
import type { AccountAccess } from '../tokens/account-access';
import { checkPassword } from '../users/password-rule';
import type { UserView } from '../users/user';
import type { NewUser, UserChanges, UserRegistry } from '../users/user-registry';
import { authorize, isSuperAdmin, type Actor } from './admin-authorization';
import type { AuditEntry, AuditLog } from './audit-log';
import { describeHolders, type NewRole, type RoleChanges, type RoleHolders, type RoleRegistry } from './role-registry';
import type { RoleDefinition } from '../applications/permissions';

/** What the admin operations use: the registries, the key ring, and ending an account's access. */
export interface AdminServiceDeps {
  clients: Pick<ClientRegistry, 'list' | 'get' | 'create' | 'edit' | 'rotateSecret' | 'setStatus'>;
  users: Pick<UserRegistry, 'list' | 'get' | 'create' | 'update' | 'setPassword' | 'validate' | 'storedRolesIn'>;
  keys: Pick<KeyRing, 'rotate'>;
  access: Pick<AccountAccess, 'endUserAccess' | 'deactivateClient'>;
  apiKeys: Pick<ApiKeys, 'issue' | 'revoke' | 'current'>;
  roles: Pick<RoleRegistry, 'list' | 'get' | 'create' | 'update' | 'delete' | 'holders'>;
}

/** An API key as issued: shown this once, never retrievable again. */
export interface IssuedApiKey {
  app: ClientView;
  apiKey: string;
  issuedAt: number;
}

/**
 * Every admin operation (the pages, the REST API and the CLI all call these), each written to the
 * audit log. Admins manage apps and users; only super admins make or unmake admins.
 */
export class AdminService {
  constructor(private readonly p: AdminServiceDeps, private readonly audit: AuditLog) {}

  listApps(): Promise<ClientView[]> {
    return this.p.clients.list();
  }

  getApp(id: string): Promise<ClientView> {
    return this.p.clients.get(id);
  }

  /** With `apiKey`, the app gets an API key with its credentials (the key is in the answer, once). */
  async createApp(actor: Actor, input: NewClient & { apiKey?: boolean }): Promise<CreatedClient & { apiKey?: string }> {
    authorize(actor, 'manage-apps');
    if (input.adminRole) authorize(actor, 'give-client-admin-role');
    const { apiKey: withKey, ...client } = input;
    // Checked before the app exists, so a refused key does not leave an app without one behind.
    if (withKey) checkKeyable(client.type);
    const created = await this.p.clients.create(client);
    await this.log(actor, 'app.create', created.client);
    if (!withKey) return created;
    const { apiKey } = await this.p.apiKeys.issue(created.client.clientId);
    await this.log(actor, 'app.api-key.issue', created.client);
    return { ...created, apiKey };
  }

  /** When the app's current API key was issued, or undefined when it has none. */
  apiKeyOf(id: string): Promise<ApiKeyView | undefined> {
    return this.p.apiKeys.current(id);
  }

  /** Issues an API key; a key the app had stops working at once (audited as a rotation). */
  async issueApiKey(actor: Actor, id: string): Promise<IssuedApiKey> {
    const app = await this.guardSuperAdminApp(actor, id);
    const had = await this.p.apiKeys.current(id);
    const { apiKey, issuedAt } = await this.p.apiKeys.issue(id);
    await this.log(actor, had ? 'app.api-key.rotate' : 'app.api-key.issue', app);
    return { app, apiKey, issuedAt };
  }

  /** Revokes the app's API key: requests that need it are refused from now on. */
  async revokeApiKey(actor: Actor, id: string): Promise<ClientView> {
    const app = await this.guardSuperAdminApp(actor, id);
    if (!(await this.p.apiKeys.revoke(id))) throw new ConflictError('this app has no API key');
    await this.log(actor, 'app.api-key.revoke', app);
    return app;
  }

  async updateApp(actor: Actor, id: string, changes: ClientChanges): Promise<ClientView> {
    authorize(actor, 'manage-apps');
    if (changes.adminRole !== undefined) authorize(actor, 'change-client-admin-role');
    const before = await this.guardSuperAdminApp(actor, id);
    const app = await this.p.clients.edit(id, changes);
    // The pages send every field: record only those whose value really changed.
    const changed = (Object.keys(changes) as Array<keyof ClientChanges>).filter((k) => changes[k] !== undefined && !sameValue(before[k], app[k]));
    await this.log(actor, 'app.update', app, changed);
    return app;
  }

  async regenerateSecret(actor: Actor, id: string): Promise<CreatedClient> {
    await this.guardSuperAdminApp(actor, id);
    const rotated = await this.p.clients.rotateSecret(id);
    await this.log(actor, 'app.secret.regenerate', rotated.client);
    return rotated;
  }

  async deactivateApp(actor: Actor, id: string): Promise<ClientView> {
    await this.guardSuperAdminApp(actor, id);
    await this.p.access.deactivateClient(id);
    const app = await this.p.clients.get(id);
    await this.log(actor, 'app.deactivate', app);
    return app;
  }

  async reactivateApp(actor: Actor, id: string): Promise<ClientView> {
    await this.guardSuperAdminApp(actor, id);
    const app = await this.p.clients.setStatus(id, 'active');
    await this.log(actor, 'app.reactivate', app);
    return app;
  }

  listUsers(): Promise<UserView[]> {
    return this.p.users.list();
  }

  getUser(id: string): Promise<UserView> {
    return this.p.users.get(id);
  }

  async createUser(actor: Actor, input: NewUser): Promise<UserView> {
    authorize(actor, 'manage-users');
    if (input.adminRole) authorize(actor, 'create-admin');
    const user = await this.p.users.create(input);
    await this.logUser(actor, 'user.create', user);
    return user;
  }

  async updateUser(actor: Actor, id: string, changes: UserChanges & { password?: string }): Promise<UserView> {
    authorize(actor, 'manage-users');
    const current = await this.p.users.get(id);
    const touchesAdmin = changes.adminRole !== undefined && (changes.adminRole ?? undefined) !== current.adminRole;
    if (touchesAdmin) authorize(actor, 'change-admin-role');
    else if (isSuperAdmin(current)) authorize(actor, 'change-super-admin');
    await this.keepOneSuperAdmin(current, changes);
    const { password, status, ...rest } = changes;
    // Checked before anything is written, so a bad password does not leave the other fields
    // half-applied; and together, so every bad field is reported at once.
    const checks = new FieldChecks();
    if (password !== undefined) checks.check(() => checkPassword(password));
    const stored = rest.roles === undefined ? {} : await this.p.users.storedRolesIn(rest.roles);
    checks.check(() => this.p.users.validate(rest, stored));
    checks.throwIfAny();
    await this.p.users.update(id, status ? { ...rest, status } : rest);
    if (password !== undefined) await this.p.users.setPassword(id, password);
    // A password set by an admin follows a loss or a compromise, and a disabled user must lose
    // access: either way every sign-in and every grant ends with it.
    if (password !== undefined || (status === 'disabled' && current.status !== 'disabled')) await this.p.access.endUserAccess(id);
    const requested = (Object.keys(changes) as Array<keyof typeof changes>).filter((k) => changes[k] !== undefined);
    const after = await this.p.users.get(id);
    // The pages send every field: record only those whose value really changed (a password always counts).
    const changed = requested.filter((k) => k === 'password' || !sameValue(current[k], after[k]));
    await this.logUser(actor, status === 'disabled' ? 'user.disable' : status === 'active' && requested.length === 1 ? 'user.enable' : 'user.update', after, changed);
    return after;
  }

  /**
   * Makes a new signing key active (the old one stays published until its tokens expire, or with
   * `retireNow`, for a leaked key, is withdrawn at once).
   */
  async rotateSigningKey(actor: Actor, algorithm?: SigningAlgorithm, options: { retireNow?: boolean } = {}) {
    authorize(actor, 'rotate-signing-keys');
    const key = await this.p.keys.rotate(algorithm, options);
    await this.record(actor, 'key.rotate', { type: 'key', id: key.kid, name: key.alg }, options.retireNow ? ['previous key withdrawn at once'] : undefined);
    return key;
  }

  listRoles(application: string): Promise<RoleDefinition[]> {
    return this.p.roles.list(application);
  }

  /** A role and who holds it. */
  async getRole(application: string, name: string): Promise<RoleDefinition & { holders: RoleHolders }> {
    return { ...(await this.p.roles.get(application, name)), holders: await this.p.roles.holders(application, name) };
  }

  async createRole(actor: Actor, application: string, input: NewRole): Promise<RoleDefinition> {
    authorize(actor, 'manage-roles');
    const role = await this.p.roles.create(application, input);
    await this.logRole(actor, 'role.create', application, role.name);
    return role;
  }

  /** Renaming records the old name too: the audit target is `<application>/<new name>`. */
  async updateRole(actor: Actor, application: string, name: string, changes: RoleChanges): Promise<RoleDefinition> {
    authorize(actor, 'manage-roles');
    const { role, changed } = await this.p.roles.update(application, name, changes);
    await this.logRole(actor, 'role.update', application, role.name, changed.map((c) => (c === 'name' ? `name (was ${name})` : c)));
    return role;
  }

  /** Held roles are refused unless `removeFromHolders`; the entry then names how many lost it. */
  async deleteRole(actor: Actor, application: string, name: string, options: { removeFromHolders?: boolean } = {}): Promise<RoleDefinition> {
    authorize(actor, 'manage-roles');
    const { role, holders } = await this.p.roles.delete(application, name, options);
    const held = holders.clients.length + holders.users.length;
    await this.logRole(actor, 'role.delete', application, name, held ? [`removed from ${describeHolders(holders)}`] : undefined);
    return role;
  }

  auditLog(limit?: number, target?: { type: string; id: string }): Promise<AuditEntry[]> {
    return this.audit.list(limit, target);
  }

  /** The last active super admin cannot be demoted or disabled: nobody could manage admins after. */
  private async keepOneSuperAdmin(current: UserView, changes: UserChanges): Promise<void> {
    if (!isSuperAdmin(current) || current.status !== 'active') return;
    const demoted = changes.adminRole !== undefined && !isSuperAdmin({ adminRole: changes.adminRole ?? undefined });
    if (!demoted && changes.status !== 'disabled') return;
    const others = (await this.p.users.list()).filter((u) => u.userId !== current.userId && isSuperAdmin(u) && u.status === 'active');
    if (others.length === 0) throw new ConflictError('this is the last active super admin: make another super admin first');
  }

  /** A super-admin client is a super admin: only super admins change it (a new secret would be its power). */
  private async guardSuperAdminApp(actor: Actor, id: string): Promise<ClientView> {
    authorize(actor, 'manage-apps');
    const app = await this.p.clients.get(id);
    if (isSuperAdmin(app)) authorize(actor, 'change-super-admin-client');
    return app;
  }

  /** The one place an audit entry is written: who, what, which target, from where, never a value. */
  private async record(actor: Actor, action: string, target: AuditEntry['target'], changed?: string[]): Promise<void> {
    await this.audit.record({
      actor: { type: actor.type, id: actor.id, name: actor.name },
      action,
      target,
      from: actor.from,
      ...(changed ? { changed: changed.map((c) => (c === 'password' ? 'password (not recorded)' : c)) } : {}),
    });
  }

  private log(actor: Actor, action: string, app: ClientView, changed?: string[]): Promise<void> {
    return this.record(actor, action, { type: 'app', id: app.clientId, name: app.name }, changed);
  }

  private logRole(actor: Actor, action: string, application: string, name: string, changed?: string[]): Promise<void> {
    return this.record(actor, action, { type: 'role', id: `${application}/${name}`, name }, changed);
  }

  private logUser(actor: Actor, action: string, user: UserView, changed?: string[]): Promise<void> {
    return this.record(actor, action, { type: 'user', id: user.userId, name: user.username }, changed);
  }
}

/** Field values compared as JSON (lists and role maps included); `undefined` and "" alike mean unset. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? '') === JSON.stringify(b ?? '');
}
