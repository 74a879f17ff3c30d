import { hasRole, type StoredRoles } from '../applications/permissions';
import type { ApplicationSettings } from '../config/settings';
import { ConflictError, NotFoundError, ValidationError } from '../errors/domain-errors';
import { quotedExcerpt } from '../errors/error-description';
import { FieldChecks } from '../errors/field-problems';
import type { Store } from '../store/store';
import { cachedWhilePushed, PushedCache } from '../store/pushed-cache';
import type { CacheFeed } from '../store/status-cache';
import { updateRecord } from '../store/update-record';
import { isAdminRole, type AdminRole } from '../users/user';
import { viewOf, type Client, type ClientView } from './client';
import { generateClientId, generateSecret, hashSecret, verifySecret } from './client-secret';
import { checkOrigin, checkRedirectUris } from './redirect-uri';

const KIND = 'clients';

export interface NewClient {
  name: string;
  application: string;
  roles?: string[];
  type?: Client['type'];
  description?: string;
  redirectUris?: string[];
  allowedOrigins?: string[];
  adminRole?: AdminRole;
}

/** Fields an admin can edit; `adminRole: null` removes it. */
export interface ClientChanges {
  name?: string;
  description?: string;
  redirectUris?: string[];
  allowedOrigins?: string[];
  roles?: string[];
  adminRole?: AdminRole | null;
}

/** A client as created: the secret appears here once and is never retrievable again. */
export interface CreatedClient {
  client: ClientView;
  clientSecret?: string;
}

/**
 * Clients ("credentials") and their lifecycle: create, roles, disable/enable, secret rotation,
 * and secret checks. Each client is linked to exactly one declared application.
 */
export class ClientRegistry {
  /** The records client authentication reads on every token request (store/pushed-cache.ts). */
  private readonly current: PushedCache<Client | undefined>;
  /**
   * The roles admins made in an application, as the client credentials grant reads them on every
   * token request: through the same cache (kind `roles`), so a changed role is seen at once.
   */
  readonly currentStoredRoles: (application: string) => Promise<StoredRoles>;

  constructor(
    private readonly store: Store,
    private readonly applications: Record<string, ApplicationSettings>,
    private readonly hashKey: Buffer,
    private readonly now: () => number = Date.now,
    /** The roles admins made in an application (src/admin/role-registry.ts); none without one. */
    private readonly storedRoles: (application: string) => Promise<StoredRoles> = async () => ({}),
    /** Push invalidation and `cacheMs`: without them, every authentication reads the store. */
    pushed?: CacheFeed & { cacheMs: number },
  ) {
    this.current = new PushedCache((id) => this.find(id), KIND, pushed?.cacheMs ?? 0, pushed, now);
    this.currentStoredRoles = cachedWhilePushed(storedRoles, 'roles', pushed?.cacheMs ?? 0, pushed, now);
  }

  async create(input: NewClient): Promise<CreatedClient> {
      // Every field is checked, and every problem reported at once (see FieldChecks).
      const checks = new FieldChecks();
      const name = checks.check(() => checkText('name', input.name, 255, true))!;
      const description = input.description === undefined ? undefined : checks.check(() => checkText('description', input.description, 500, false));
      const application = checks.check(() => this.checkApplication(input.application));
      const stored = application === undefined ? {} : await this.storedRoles(application);
      const roles = application === undefined ? [] : (checks.check(() => this.checkRoles(application, input.roles ?? [], stored)) ?? []);
    const type = input.type ?? 'service';
    checks.check(() => {
      if (!['service', 'web', 'public'].includes(type)) throw new ValidationError('type', 'type must be service, web or public');
    });
    const redirectUris = checks.check(() => checkRedirectUris(input.redirectUris ?? [], type !== 'service')) ?? [];
    const allowedOrigins = checks.check(() => checkOrigins(input.allowedOrigins ?? [])) ?? [];
    const adminRole = input.adminRole ? checks.check(() => checkAdminRole(input.adminRole)) : undefined;
    checks.throwIfAny();
    const clientSecret = type === 'public' ? undefined : generateSecret();
    const at = this.now();
    const client: Client = {
      clientId: generateClientId(),
      name,
      ...(description ? { description } : {}),
      application: application!,
      type,
      roles,
      status: 'active',
      ...(clientSecret ? { secretHash: hashSecret(clientSecret, this.hashKey), secretIssuedAt: at } : {}),
      redirectUris,
      allowedOrigins,
      ...(adminRole ? { adminRole } : {}),
      createdAt: at,
      updatedAt: at,
    };
    if (!(await this.store.create(KIND, client.clientId, client, { indexes: { application: client.application } }))) {
      throw new ConflictError('client id collision; try again');
    }
    return { client: viewOf(client), clientSecret };
  }

  /** The stored client, or undefined. */
  async find(clientId: string): Promise<Client | undefined> {
    return (await this.store.get<Client>(KIND, clientId))?.value;
  }

  async get(clientId: string): Promise<ClientView> {
    const client = await this.find(clientId);
    if (!client) throw new NotFoundError('client', clientId);
    return viewOf(client);
  }

  async list(): Promise<ClientView[]> {
    return (await this.store.list<Client>(KIND)).map((r) => viewOf(r.value)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Edits what an admin may change after creation; the type and linked application are fixed
   * (a credential is linked to exactly one application for life).
   */
  async edit(clientId: string, changes: ClientChanges): Promise<ClientView> {
    const stored = changes.roles === undefined ? {} : await this.storedRolesOf(clientId);
    return this.update(clientId, (c) => {
      const next: Client = { ...c };
      const checks = new FieldChecks();
      if (changes.name !== undefined) checks.check(() => (next.name = checkText('name', changes.name, 255, true)));
      if (changes.description !== undefined) {
        const description = checks.check(() => checkText('description', changes.description, 500, false));
        if (description) next.description = description;
        else delete next.description;
      }
      if (changes.redirectUris !== undefined) checks.check(() => (next.redirectUris = checkRedirectUris(changes.redirectUris, c.type !== 'service')));
      if (changes.allowedOrigins !== undefined) checks.check(() => (next.allowedOrigins = checkOrigins(changes.allowedOrigins!)));
      if (changes.roles !== undefined) checks.check(() => (next.roles = this.checkRoles(c.application, changes.roles!, stored)));
      if (changes.adminRole === null) delete next.adminRole;
      else if (changes.adminRole !== undefined) checks.check(() => (next.adminRole = checkAdminRole(changes.adminRole)));
      checks.throwIfAny();
      return next;
    });
  }

  /** Replaces the roles; tokens issued from now on carry the new roles. */
  async setRoles(clientId: string, roles: string[]): Promise<ClientView> {
    const stored = await this.storedRolesOf(clientId);
    return this.update(clientId, (c) => ({ ...c, roles: this.checkRoles(c.application, roles, stored) }));
  }

  /** The stored roles of the client's application (fixed for life, so it may be read before the write). */
  private async storedRolesOf(clientId: string): Promise<StoredRoles> {
    const client = await this.find(clientId);
    return client ? this.storedRoles(client.application) : {};
  }

  /** Disabling also stamps `tokensValidAfter`, so tokens from before stay dead after re-enabling. */
  async setStatus(clientId: string, status: Client['status']): Promise<ClientView> {
    if (status === 'active') await this.leaveDeactivationSecond(clientId);
    const stamp = Math.floor(this.now() / 1000);
    return this.update(clientId, (c) => (status === 'disabled' && c.status !== 'disabled' ? { ...c, status, tokensValidAfter: stamp } : { ...c, status }));
  }

  /**
   * `iat` has whole seconds: a token issued in the very second of a deactivation cannot be told
   * from one issued before it. So reactivation waits (at most a second) until that second is over,
   * and tokens issued after reactivation are never mistaken for pre-deactivation ones.
   */
  private async leaveDeactivationSecond(clientId: string): Promise<void> {
    const client = await this.find(clientId);
    if (client?.tokensValidAfter === undefined) return;
    const wait = (client.tokensValidAfter + 1) * 1000 - this.now();
    if (wait > 0 && wait <= 1000) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** Issues a new secret; the old one stops working at once. */
  async rotateSecret(clientId: string): Promise<CreatedClient> {
    const clientSecret = generateSecret();
    const client = await this.update(clientId, (c) => {
      if (c.type === 'public') throw new ValidationError('type', 'a public client has no secret');
      return { ...c, secretHash: hashSecret(clientSecret, this.hashKey), secretIssuedAt: this.now() };
    });
    return { client, clientSecret };
  }

  /** The active client whose secret matches, or undefined (the caller decides the error). */
  async authenticate(clientId: string, secret: string): Promise<Client | undefined> {
    const client = await this.current.get(clientId);
    if (!client || client.status !== 'active' || !client.secretHash) return undefined;
    return verifySecret(secret, client.secretHash, this.hashKey) ? client : undefined;
  }

  /** Read-modify-write with compare-and-set, retried, so concurrent edits never lose each other. */
  private async update(clientId: string, change: (c: Client) => Client): Promise<ClientView> {
    const next = await updateRecord<Client>(this.store, KIND, clientId, 'client', (c) => ({ ...change(c), updatedAt: this.now() }), (c) => ({ indexes: { application: c.application } }));
    return viewOf(next);
  }

  private checkApplication(application: string): string {
    if (typeof application !== 'string' || !Object.hasOwn(this.applications, application)) {
      const known = Object.keys(this.applications).join(', ');
      throw new ValidationError('application', `unknown application${quotedExcerpt(application)} (declared: ${known})`);
    }
    return application;
  }

  /** Every role the application does not have (YAML or admin-made) is a problem of its own (all reported at once). */
  private checkRoles(application: string, roles: string[], stored: StoredRoles): string[] {
    const app = this.applications[application];
    const checks = new FieldChecks();
    for (const role of roles) {
      checks.check(() => {
        if (!hasRole(app, role, stored)) {
          const known = [...Object.keys(app.roles), ...Object.keys(stored)];
          throw new ValidationError('roles', `application ${application} has no role${quotedExcerpt(role)} (declared: ${known.join(', ')})`);
        }
      });
    }
    checks.throwIfAny();
    return [...new Set(roles)];
  }
}

/** CORS origins, each checked (every bad one reported), duplicates dropped. */
function checkOrigins(values: unknown[]): string[] {
  const checks = new FieldChecks();
  const checked = values.map((o) => checks.check(() => checkOrigin(o)));
  checks.throwIfAny();
  return [...new Set(checked as string[])];
}

function checkText(field: string, value: unknown, max: number, required: boolean): string {
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be text`);
  const trimmed = value.trim();
  if (required && !trimmed) throw new ValidationError(field, `${field} is required`);
  if (trimmed.length > max) throw new ValidationError(field, `${field} must be at most ${max} characters`);
  return trimmed;
}

function checkAdminRole(value: unknown): AdminRole {
  if (!isAdminRole(value)) throw new ValidationError('adminRole', 'adminRole must be admin or super-admin');
  return value;
}
