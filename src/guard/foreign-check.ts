import type { ApplicationSettings } from '../config/settings';
import { InvalidToken } from '../errors/oauth-errors';
import { checkAccess } from './access-check';
import type { RouteAccess } from './route-rule';
import { foreignPermissions } from '../applications/permissions';
import type { ForeignIssuer, ForeignToken } from '../trust/foreign-token';
import { peekIssuer } from '../trust/peek-issuer';
import type { AccessTokenClaims } from './token-verifier';
import { TokenIdentity, type SharedIdentity, type VerifiedIdentity } from './verified-identity';

/** Where a guard finds the trusted issuers its application names (the runtime's TrustedIssuers). */
export interface ForeignIssuers {
  get(issuer: string): ForeignIssuer | undefined;
}

/**
 * The guard's path for tokens of other issuers its application accepts (`trustedIssuers`),
 * beside the untouched path for Portcullis's own. The token's `iss` is read without trust only
 * to pick the issuer that verifies it; an opaque token goes to the one issuer that introspects.
 * After the issuer vouched for the token: `aud` must name the application, its client must be
 * one of `allowedClientIds` if set, and the route's permissions must be granted (roles or scopes,
 * src/applications/permissions.ts). Portcullis's client and user standing does not apply: the
 * other issuer owns its clients, users and revocations.
 */
export class ForeignCheck {
  private readonly accepted = new Map<string, ForeignIssuer>();
  private readonly opaque?: ForeignIssuer;
  private readonly allowedClients?: ReadonlySet<string>;
  /** Identities without their claims, by what tokens share (their shape's parts, or an introspection answer). */
  private readonly identities = new WeakMap<object, SharedIdentity>();

  constructor(issuers: ForeignIssuers, private readonly settings: ApplicationSettings, private readonly application: string) {
    for (const name of settings.trustedIssuers ?? []) {
      const issuer = issuers.get(name);
      if (!issuer) throw new Error(`application ${application}: trusted issuer ${name} is not declared`);
      this.accepted.set(name, issuer);
      if (issuer.introspects) this.opaque = issuer;
    }
    if (settings.allowedClientIds) this.allowedClients = new Set(settings.allowedClientIds);
  }

  /** The issuer that checks this token, or undefined: it is for Portcullis's own path. */
  issuerOf(token: string): ForeignIssuer | undefined {
    const { jwt, iss } = peekIssuer(token);
    if (!jwt) return this.opaque;
    return iss === undefined ? undefined : this.accepted.get(iss);
  }

  /**
   * The identity from memory when one of the issuers this application accepts verified this very
   * token before (its answer is kept under the token's digest), without reading the token's
   * claims: the usual case for a token in use. Undefined ("ask the issuer", never "allowed"):
   * not in memory (`issuerOf` then picks the issuer that checks it).
   */
  peekAny(token: string, needed: readonly RouteAccess[]): VerifiedIdentity | undefined {
    for (const issuer of this.accepted.values()) {
      const foreign = issuer.peek(token);
      if (foreign) return this.decide(issuer, foreign, needed);
    }
    return undefined;
  }

  async check(issuer: ForeignIssuer, token: string, needed: readonly RouteAccess[]): Promise<VerifiedIdentity> {
    return this.decide(issuer, await issuer.check(token), needed);
  }

  private decide(issuer: ForeignIssuer, foreign: ForeignToken, needed: readonly RouteAccess[]): VerifiedIdentity {
    if (!foreign.audience.includes(this.settings.audience)) throw new InvalidToken('the access token is for another application', 'wrong_audience');
    if (this.allowedClients && !this.allowedClients.has(foreign.clientId)) {
      throw new InvalidToken('the client of this access token is not allowed at this application', 'wrong_application');
    }
    const identity = this.identityOf(issuer, foreign);
    // Check 4 exactly as for Portcullis's own tokens (access-check.ts).
    checkAccess(needed, identity.permissions);
    return identity;
  }

  private identityOf(issuer: ForeignIssuer, foreign: ForeignToken): VerifiedIdentity {
    const key = foreign.shared ?? foreign;
    let shared = this.identities.get(key);
    if (!shared) {
      shared = {
        application: this.application,
        clientId: foreign.clientId,
        subject: foreign.subject,
        roles: [...foreign.roles],
        permissions: foreignPermissions(this.settings, issuer.permissions, foreign.roles, foreign.scopes),
        scope: foreign.scopes.length ? foreign.scopes.join(' ') : undefined,
      };
      this.identities.set(key, shared);
    }
    // Shaped like an own token's claims for later middleware (`jti` may be absent).
    return new TokenIdentity(shared, foreign.claims as unknown as AccessTokenClaims);
  }
}
