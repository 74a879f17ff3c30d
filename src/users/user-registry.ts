import { randomUUID } from 'node:crypto';
import { hasRole, type StoredRoles } from '../applications/permissions';
import type { ApplicationSettings } from '../config/settings';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors';
import { quotedExcerpt } from '../errors/error-description';
import { FieldChecks } from '../errors/field-problems';
import type { Store } from '../store/store';
import { updateRecord } from '../store/update-record';
import { dummyHash, hashPassword, verifyPassword } from './password';
import { checkPassword } from './password-rule';
import { userView, type AdminRole, type User, type UserView } from './user';

const KIND = 'users';
const NAMES = 'usernames';

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  name?: string;
  roles?: Record<string, string[]>;
  adminRole?: AdminRole;
}

export type UserChanges = Partial<Pick<User, 'email' | 'name' | 'status' | 'roles'>> & { adminRole?: AdminRole | null };

/** Users who sign in at the issuer, their passwords and their roles per application. */
export class UserRegistry {
  constructor(
    private readonly store: Store,
    private readonly applications: Record<string, ApplicationSettings>,
    private readonly now: () => number = Date.now,
    /** The roles admins made in an application (src/admin/role-registry.ts); none without one. */
    private readonly storedRoles: (application: string) => Promise<StoredRoles> = async () => ({}),
  ) {}

  async create(input: NewUser): Promise<UserView> {
    // Every field is checked, and every problem reported at once (see FieldChecks).
    const checks = new FieldChecks();
    const username = checks.check(() => checkUsername(input.username))!;
    checks.check(() => checkPassword(input.password));
    const email = input.email !== undefined ? checks.check(() => checkEmail(input.email)) : undefined;
    const name = input.name !== undefined ? checks.check(() => checkName(input.name)) : undefined;
    const stored = await this.storedRolesIn(input.roles ?? {});
    const roles = checks.check(() => this.checkRoles(input.roles ?? {}, stored))!;
    checks.throwIfAny();
    const at = this.now();
    const user: User = {
      userId: randomUUID(),
      username,
      ...(email !== undefined ? { email } : {}),
      emailVerified: false,
      ...(name !== undefined ? { name } : {}),
      passwordHash: await hashPassword(input.password),
      roles,
      ...(input.adminRole ? { adminRole: input.adminRole } : {}),
      status: 'active',
      createdAt: at,
      updatedAt: at,
    };
    // The username claim is its own record, created atomically: two concurrent creates cannot both win.
    if (!(await this.store.create(NAMES, usernameKey(username), { userId: user.userId }))) {
      throw new ConflictError(`username ${JSON.stringify(username)} is taken`);
    }
    await this.store.create(KIND, user.userId, user);
    return userView(user);
  }

  async find(userId: string): Promise<User | undefined> {
    return (await this.store.get<User>(KIND, userId))?.value;
  }

  async get(userId: string): Promise<UserView> {
    const user = await this.find(userId);
    if (!user) throw new NotFoundError('user', userId);
    return userView(user);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    if (typeof username !== 'string' || username.length > 64) return undefined;
    const claim = await this.store.get<{ userId: string }>(NAMES, usernameKey(username));
    return claim ? this.find(claim.value.userId) : undefined;
  }

  async list(): Promise<UserView[]> {
    return (await this.store.list<User>(KIND)).map((r) => userView(r.value)).sort((a, b) => a.createdAt - b.createdAt);
  }

  async count(): Promise<number> {
    return (await this.store.list(KIND)).length;
  }

  /**
   * The active user with this username and password, or undefined. A missing user costs the same
   * hash check as a wrong password, so response time does not reveal which usernames exist.
   */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = await this.findByUsername(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    return ok && user && user.status === 'active' ? user : undefined;
  }

  /**
   * Throws every problem of these changes at once (a `ValidationError` or `InvalidFields`), writing
   * nothing. `stored`: the admin-made roles of the applications they name (`storedRolesIn`).
   */
  validate(changes: UserChanges, stored: Record<string, StoredRoles> = {}): void {
    const checks = new FieldChecks();
    if (changes.email !== undefined) checks.check(() => checkEmail(changes.email));
    if (changes.name !== undefined) checks.check(() => checkName(changes.name));
    if (changes.roles !== undefined) checks.check(() => this.checkRoles(changes.roles!, stored));
    checks.throwIfAny();
  }

  async update(userId: string, changes: UserChanges): Promise<UserView> {
    const stored = changes.roles === undefined ? {} : await this.storedRolesIn(changes.roles);
    this.validate(changes, stored);
    return this.change(userId, (u) => {
      const next: User = { ...u };
      if (changes.email !== undefined) next.email = checkEmail(changes.email);
      if (changes.name !== undefined) next.name = checkName(changes.name);
      if (changes.status !== undefined) next.status = changes.status;
      if (changes.roles !== undefined) next.roles = this.checkRoles(changes.roles, stored);
      if (changes.adminRole === null) delete next.adminRole;
      else if (changes.adminRole !== undefined) next.adminRole = changes.adminRole;
      return next;
    });
  }

  async setPassword(userId: string, password: string): Promise<UserView> {
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    return this.change(userId, (u) => ({ ...u, passwordHash }));
  }

  /** Roles of the user in one application. */
  rolesIn(user: User, application: string): string[] {
    return user.roles[application] ?? [];
  }

  private async change(userId: string, apply: (u: User) => User): Promise<UserView> {
    return userView(await updateRecord<User>(this.store, KIND, userId, 'user', (u) => ({ ...apply(u), updatedAt: this.now() })));
  }

  /** The stored roles of each declared application that `roles` names. */
  async storedRolesIn(roles: Record<string, string[]>): Promise<Record<string, StoredRoles>> {
    const names = Object.keys(roles).filter((application) => Object.hasOwn(this.applications, application));
    return Object.fromEntries(await Promise.all(names.map(async (application) => [application, await this.storedRoles(application)] as const)));
  }

  /** Every unknown application and undeclared role is a problem of its own (all reported at once). */
  private checkRoles(roles: Record<string, string[]>, stored: Record<string, StoredRoles>): Record<string, string[]> {
    const checked: Record<string, string[]> = {};
    const checks = new FieldChecks();
    for (const [application, list] of Object.entries(roles)) {
      const app = this.applications[application];
      if (!app || !Object.hasOwn(this.applications, application)) {
        checks.check(() => {
          throw new ValidationError('roles', `unknown application${quotedExcerpt(application)}`);
        });
        continue;
      }
      for (const role of list) {
        checks.check(() => {
          if (!hasRole(app, role, stored[application])) throw new ValidationError('roles', `application ${application} has no role${quotedExcerpt(role)}`);
        });
      }
      if (list.length) checked[application] = [...new Set(list)];
    }
    checks.throwIfAny();
    return checked;
  }
}

/**
 * The one spelling of a username that names an account: surrounding whitespace dropped, lower
 * case. Uniqueness, sign-in lookups and the sign-in throttle all key on it, so `Dana`, ` dana`
 * and `dana\t` are one account and one failure counter (a throttle keyed on the raw input could
 * be sidestepped by re-spelling the username).
 */
export function usernameKey(username: string): string {
  return username.trim().toLowerCase();
}

export function checkUsername(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/.test(value.trim())) {
    throw new ValidationError('username', 'username must be 2-64 characters: letters, digits, . _ @ -');
  }
  return value.trim();
}

export function checkEmail(value: unknown): string {
  if (typeof value !== 'string' || value.length > 254 || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
    throw new ValidationError('email', 'email must be a valid address');
  }
  return value;
}

function checkName(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length > 255) throw new ValidationError('name', 'name must be at most 255 characters');
  return value.trim();
}
