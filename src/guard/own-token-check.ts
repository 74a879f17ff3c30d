import { InvalidToken } from '../errors/oauth-errors';
import { decideStanding, type StandingFacts, type StandingPlace } from '../tokens/token-standing';
import type { StandingCaches } from '../tokens/token-standing-facts';
import { checkAccess } from './access-check';
import { apiKeyRefusals, decideApiKey, type ApiKeyLookup, type ApiKeyStanding } from './api-key-check';
import { noteGranted } from './debug-header';
import { grantedPermissions } from './granted-permissions';
import { RoleSource, type RoleCaches, type RoleFacts, type RoleMode } from './role-source';
import type { RouteAccess } from './route-rule';
import type { AccessTokenClaims } from './token-verifier';
import { TokenIdentity, type SharedIdentity, type VerifiedIdentity } from './verified-identity';
import type { ApplicationSettings } from '../config/settings';

/** What the own-token checks read: the status caches (check 3), the role caches (4), the API keys (3b). */
export interface OwnTokenDeps extends StandingCaches, RoleCaches {
  clients: RoleCaches['clients'];
  users: RoleCaches['users'];
  apiKeys?: ApiKeyLookup;
}

/** The guard options these checks follow. */
export interface OwnTokenOptions {
  application: string;
  settings: ApplicationSettings;
  apiKeyHeader?: string;
  debugHeader?: boolean;
  roles?: RoleMode;
}

/** The shared part of identities, and what it was computed from (a changed role definition or assignment makes a new one). */
interface CachedIdentity {
  shared: SharedIdentity;
  scope: string | undefined;
  roles: readonly string[];
  stored: RoleFacts['stored'];
}

/**
 * How many shared identities a guard keeps (one per client, subject, scope and roles in use);
 * beyond it they are all dropped and built again as callers come back (a rebuild costs
 * microseconds, far less than a token verification).
 */
const MOST_IDENTITIES = 10_000;

const NO_KEY = Object.freeze({ value: null });

/**
 * Checks 3, 3b and 4 of the guard for a verified token of this Portcullis (foreign-check.ts does
 * the same for other issuers' tokens): the token is still honoured (src/tokens/token-standing.ts),
 * the API key is its client's when the guard requires one, and its roles grant what the route
 * needs (access-check.ts). `peek` answers from memory only (undefined: ask the store); `check`
 * reads what memory lacks.
 */
export class OwnTokenCheck {
  /** The refusal texts for the API key header, when the guard requires a key. */
  readonly apiKeyRefusals?: ReturnType<typeof apiKeyRefusals>;
  private readonly roleSource: RoleSource;
  /**
   * The shared parts of identities, by client id then subject. Apart from the token's own claims,
   * an identity depends only on its client, subject, scope and roles (and the role definitions) and
   * this guard's fixed settings, so the tokens of one caller share one: nothing is kept per token.
   */
  private readonly identities = new Map<string, Map<string, CachedIdentity[]>>();
  private identityCount = 0;

  constructor(private readonly deps: OwnTokenDeps, private readonly options: OwnTokenOptions, private readonly declared: ReadonlySet<string>, private readonly place: StandingPlace) {
    if (options.apiKeyHeader) {
      if (!deps.apiKeys) throw new Error('a guard that requires API keys needs deps.apiKeys');
      this.apiKeyRefusals = apiKeyRefusals(options.apiKeyHeader);
    }
    this.roleSource = new RoleSource(deps, options.application, options.roles ?? 'token');
  }

  /** The decision from memory alone, or undefined when the key or the roles must be read first. */
  peek(claims: AccessTokenClaims, facts: StandingFacts, needed: readonly RouteAccess[], apiKey: string | undefined): VerifiedIdentity | undefined {
    const key = this.peekApiKey(apiKey);
    const roles = key && this.roleSource.peek(claims);
    return roles && this.decide(claims, facts, roles, needed, apiKey, key.value);
  }

  /** The decision, reading the key and the roles where memory does not have them. */
  async check(claims: AccessTokenClaims, facts: StandingFacts | Promise<StandingFacts>, needed: readonly RouteAccess[], apiKey: string | undefined): Promise<VerifiedIdentity> {
    const lookup = this.apiKeyRefusals && apiKey !== undefined;
    const [loaded, roles, key] = await Promise.all([
      facts,
      this.roleSource.peek(claims) ?? this.roleSource.load(claims),
      lookup ? this.deps.apiKeys!.get(apiKey) : null,
    ]);
    return this.decide(claims, loaded, roles, needed, apiKey, key);
  }

  /** The key's record from memory ({value: null} when none is required or none was sent). */
  private peekApiKey(apiKey: string | undefined): { value: ApiKeyStanding | null } | undefined {
    if (!this.apiKeyRefusals || apiKey === undefined) return NO_KEY;
    return this.deps.apiKeys!.peek(apiKey);
  }

  /** Checks 3, 3b and 4 on a verified token; throws the protocol error or returns the identity. */
  private decide(claims: AccessTokenClaims, facts: StandingFacts, roles: RoleFacts, needed: readonly RouteAccess[], apiKey: string | undefined, key: ApiKeyStanding | null): VerifiedIdentity {
    const standing = decideStanding(claims, facts, this.place);
    if (!standing.honoured) throw new InvalidToken(standing.description, standing.reason);
    if (this.apiKeyRefusals) {
      const refusal = decideApiKey(apiKey, key, claims.client_id, this.apiKeyRefusals);
      if (refusal) throw new InvalidToken(refusal.description, refusal.reason);
    }
    const identity = this.identityOf(claims, roles);
    try {
      // Usually one rule; more when another reading of the path (letter case, trailing slash) has another.
      checkAccess(needed, identity.permissions);
    } catch (err) {
      if (this.options.debugHeader) noteGranted(err as object, identity.permissions);
      throw err;
    }
    return identity;
  }

  /**
   * Who the token says is calling: the token's claims over a shared part computed once per client,
   * subject, scope and roles: the caches hand out the same role objects until a change, so a
   * changed role definition or assignment is seen by reference.
   */
  private identityOf(claims: AccessTokenClaims, roles: RoleFacts): VerifiedIdentity {
    let bySubject = this.identities.get(claims.client_id);
    const known = bySubject?.get(claims.sub);
    if (known) {
      for (const c of known) {
        if (c.scope === claims.scope && c.roles === roles.roles && c.stored === roles.stored) return new TokenIdentity(c.shared, claims);
      }
    }
    const shared: SharedIdentity = {
      application: this.options.application,
      clientId: claims.client_id,
      subject: claims.sub,
      roles: [...roles.roles],
      permissions: grantedPermissions(this.options.settings, this.declared, { roles: roles.roles, scope: claims.scope }, roles.stored),
      scope: claims.scope,
    };
    if (this.identityCount >= MOST_IDENTITIES) {
      this.identities.clear();
      this.identityCount = 0;
      bySubject = undefined;
    }
    if (!bySubject) this.identities.set(claims.client_id, (bySubject = new Map()));
    // One per scope in use; one built for roles that changed since replaces the old one.
    const kept = (bySubject.get(claims.sub) ?? []).filter((c) => c.scope !== claims.scope);
    this.identityCount += 1 - ((bySubject.get(claims.sub)?.length ?? 0) - kept.length);
    kept.push({ shared, scope: claims.scope, roles: roles.roles, stored: roles.stored });
    bySubject.set(claims.sub, kept);
    return new TokenIdentity(shared, claims);
  }
}
