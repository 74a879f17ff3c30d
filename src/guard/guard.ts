import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationSettings } from '../config/settings';
import { InsufficientScope, InvalidToken } from '../errors/oauth-errors';
import { sendError, type ErrorSite } from '../http/send-error';
import { requestId } from '../http/request-id';
import { recordOutcome } from '../http/request-outcome';
import { grantablePermissions, permissionsOf } from '../applications/permissions';
import { extractBearer } from './extract-bearer';
import { setIdentityHeaders, type IdentityHeader } from './identity-headers';
import type { RemovedHeaders } from './removed-headers';
import { refuseOverrides } from './request-overrides';
import { cacheSources, loadStanding, peekStanding, type StandingCaches, type StandingSources } from '../tokens/token-standing-facts';
import { decideStanding, type StandingFacts, type StandingPlace } from '../tokens/token-standing';
import { recordDecision, refusalReason, type GuardDecision, type GuardDecisionMeter } from './refusal-reason';
import { RouteMatcher } from './route-matcher';
import type { AccessTokenClaims, TokenVerifier } from './token-verifier';
import type { VerifiedIdentity } from './verified-identity';
import { ForeignCheck, type ForeignIssuers } from './foreign-check';

/** How far memory took the checks: the identity, or what the store-reading rest goes on from. */
interface MemoryStep {
  identity?: VerifiedIdentity;
  token: string;
  claims?: AccessTokenClaims;
  needed: readonly string[];
}

/** What a guard is built from: its verifier, the status caches checks 3 read, where errors go. */
export interface GuardDeps extends StandingCaches {
  verifier: Pick<TokenVerifier, 'peek' | 'verify'>;
  site: ErrorSite;
  /** Counts decisions (with their reason code) and their latency. */
  meter?: GuardDecisionMeter;
  /** Other issuers (`trustedIssuers`); used only if the application names some. */
  foreign?: ForeignIssuers;
}

export interface GuardOptions {
  /** The name of the application this pipeline protects. */
  application: string;
  settings: ApplicationSettings;
  /** Lower-case prefix of the identity headers sent upstream. */
  headerPrefix: string;
  /** Remove the Authorization header before the request goes upstream. */
  hideCredentials: boolean;
  /** Which identity headers go upstream. */
  identityHeaders: IdentityHeader[];
  /** Identity headers of other products (and method overrides), removed before the upstream. */
  removeHeaders: RemovedHeaders;
  /** The issuer's cookies (session, CSRF), never sent upstream. */
  issuerCookies: ReadonlySet<string>;
}

export type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The guard in front of one application. Its checks run in this order, each throwing a typed error:
 * 0. the request means what it says (RFC 6750 §3.1 `invalid_request` otherwise): its path has one
 *    reading (`normalisePath`), and no override header or `_method` names another method or path;
 * 1. the token is taken from the Authorization header only (RFC 6750 §2.1);
 * 2. the token is a valid access token of this issuer (signature, alg, typ, iss, exp/nbf/iat);
 * 3. the token is still honoured here (src/tokens/token-standing.ts): `aud` is this application's,
 *    the client exists, is active, is linked to this application, its user (for a user token) is
 *    active, and the token is not revoked;
 * 4. roles -> permissions: the route rule for (method, path) names the permission it needs (and
 *    the rule of every other reading of the path an upstream may use, see RouteMatcher);
 *    no rule means deny;
 * 5. identity headers for the upstream replace anything the caller sent, and other products'
 *    identity headers (`removeHeaders`) and the issuer's own cookies are removed.
 */
export class Guard {
  private readonly routes: RouteMatcher;
  /** Every permission any role of this application grants. */
  private readonly permissions: Set<string>;
  /**
   * Identities per verified claims object. An identity depends only on the claims and on this
   * guard's fixed settings, and the verifier hands a claims object out only while the token is
   * unexpired and its key published, so an identity cannot outlive what it was built from.
   */
  private readonly identities = new WeakMap<AccessTokenClaims, VerifiedIdentity>();
  /** Check 3 at this guard: the token must be for this application. */
  private readonly place: StandingPlace;
  /** Where check 3 reads what memory did not answer. */
  private readonly sources: StandingSources;
  /** Tokens of other issuers this application accepts (foreign-check.ts); none by default. */
  private readonly foreign?: ForeignCheck;

  constructor(private readonly deps: GuardDeps, private readonly options: GuardOptions) {
    this.routes = new RouteMatcher(options.settings.routes);
    this.permissions = grantablePermissions(options.settings);
    this.place = { audience: options.settings.audience, application: options.application };
    this.sources = cacheSources(deps);
    if (deps.foreign && options.settings.trustedIssuers?.length) this.foreign = new ForeignCheck(deps.foreign, options.settings, options.application);
  }

  /** Runs checks 0-4 and returns who is calling; throws the protocol error otherwise. */
  async check(req: IncomingMessage): Promise<VerifiedIdentity> {
    const step = this.fromMemory(req);
    return step.identity ?? this.finish(req, step);
  }

  /**
   * The same checks without waiting, when every answer they need is already in memory (the usual
   * case for a token in use); undefined means "ask the store", never "allowed".
   */
  checkCached(req: IncomingMessage): VerifiedIdentity | undefined {
    return this.fromMemory(req).identity;
  }

  /** Checks 0-4 as far as memory answers them; throws a refusal, or says where to go on from. */
  private fromMemory(req: IncomingMessage): MemoryStep {
    const needed = this.requestShape(req);
    const token = extractBearer(req);
    const claims = this.deps.verifier.peek(token);
    // Own tokens in memory never reach this: another issuer's token is looked at only on a miss.
    const issuer = !claims && this.foreign?.issuerOf(token);
    if (issuer) return { identity: this.foreign!.peek(issuer, token, needed), token, needed };
    if (claims) recordOutcome(req, { clientId: claims.client_id });
    const facts = claims && peekStanding(claims, this.deps);
    return { identity: facts && this.decide(claims!, facts, needed), token, claims, needed };
  }

  /** The rest once memory did not suffice; the verified-token cache is not asked a second time. */
  private async finish(req: IncomingMessage, { token, claims: peeked, needed }: MemoryStep): Promise<VerifiedIdentity> {
    const issuer = !peeked && this.foreign?.issuerOf(token);
    if (issuer) return this.foreign!.check(issuer, token, needed);
    const claims = peeked ?? (await this.deps.verifier.verify(token));
    if (!peeked) recordOutcome(req, { clientId: claims.client_id });
    const facts = peekStanding(claims, this.deps) ?? (await loadStanding(claims, this.sources));
    return this.decide(claims, facts, needed);
  }

  /**
   * Check 0, before the token: a request whose path or method could be read another way upstream
   * is malformed whoever sends it. Returns the permissions the route needs (none: no rule).
   */
  private requestShape(req: IncomingMessage): readonly string[] {
    refuseOverrides(req);
    return this.routes.permissionsFor(req.method ?? 'GET', originalPath(req));
  }

  /**
   * The guard as Connect/Express middleware: identity on success, the structured error otherwise.
   * Each decision is counted once with its reason code (the refusal's `reason`, refusal-reason.ts)
   * and recorded on the request (`guardDecisionOf(req)`, for the access log).
   */
  middleware(): Middleware {
    const meter = this.deps.meter;
    const { application } = this.options;
    const allowed: GuardDecision = { application, result: 'allowed', reason: 'none' };
    return (req, res, next) => {
      recordOutcome(req, { application: this.options.application });
      const start = meter ? performance.now() : 0;
      const pass = (identity: VerifiedIdentity) => {
        meter?.allow(start);
        recordDecision(req, allowed);
        setIdentityHeaders(req, identity, this.options);
        // The client as the guard established it (also for another issuer's tokens, whose claims differ).
        recordOutcome(req, { decision: 'allowed', clientId: identity.clientId });
        // The upstream gets the id the caller's response and the access log carry.
        req.headers['x-request-id'] = requestId(req, res);
        (req as IncomingMessage & { portcullis?: VerifiedIdentity }).portcullis = identity;
        next();
      };
      const refuse = (err: unknown) => {
        const reason = refusalReason(err);
        meter?.refuse(reason, start);
        recordDecision(req, { application, result: 'refused', reason });
        // The access log says the same reason code as the metrics (not the bare OAuth error code).
        recordOutcome(req, { decision: 'refused', reason });
        sendError(req, res, err, this.deps.site);
      };
      let step: MemoryStep;
      try {
        step = this.fromMemory(req);
      } catch (err) {
        return refuse(err);
      }
      if (step.identity) return pass(step.identity);
      this.finish(req, step).then(pass, refuse);
    };
  }

  /** Checks 3 and 4 on a verified token; throws the protocol error or returns the identity. */
  private decide(claims: AccessTokenClaims, facts: StandingFacts, needed: readonly string[]): VerifiedIdentity {
    const standing = decideStanding(claims, facts, this.place);
    if (!standing.honoured) throw new InvalidToken(standing.description, standing.reason);

    const identity = this.identityOf(claims);
    if (needed.length === 0) throw new InsufficientScope('no route rule allows this request', '');
    // Usually one; more when another reading of the path (letter case, trailing slash) has another rule.
    for (const permission of needed) {
      if (!identity.permissions.has(permission)) throw new InsufficientScope(`this request needs the ${permission} permission`, permission);
    }
    return identity;
  }

  /** Who the token says is calling; computed once per verified token (claims objects are cached). */
  private identityOf(claims: AccessTokenClaims): VerifiedIdentity {
    let identity = this.identities.get(claims);
    if (!identity) {
      identity = {
        application: this.options.application,
        clientId: claims.client_id,
        subject: claims.sub,
        roles: claims.roles ?? [],
        permissions: this.grantedPermissions(claims),
        scope: claims.scope,
        claims,
      };
      this.identities.set(claims, identity);
    }
    return identity;
  }

  /**
   * What the token's roles grant here. If its scope names any of this application's permissions,
   * only those are granted (a down-scoped token); scopes like `openid` or `profile` do not limit.
   */
  private grantedPermissions(claims: AccessTokenClaims): Set<string> {
    const granted = permissionsOf(this.options.settings, claims.roles ?? []);
    if (claims.scope === undefined) return granted;
    const scope = claims.scope.split(' ').filter((s) => this.permissions.has(s));
    if (scope.length === 0) return granted;
    return new Set(scope.filter((p) => granted.has(p)));
  }
}

function originalPath(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}
