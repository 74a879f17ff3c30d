import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApplicationSettings } from '../config/settings';
import { sendError, type ErrorSite } from '../http/send-error';
import { trackedOutcome } from '../http/request-outcome';
import { grantablePermissions } from '../applications/permissions';
import { readApiKey, type ApiKeyLookup } from './api-key-check';
import { setDebugHeader } from './debug-header';
import { bearerForLookup, checkedBearer } from './extract-bearer';
import { clearIdentityHeaders, setIdentityHeaders, type IdentityHeader } from './identity-headers';
import type { RemovedHeaders } from './removed-headers';
import { refuseOverrides } from './request-overrides';
import { cacheSources, loadStanding, peekStanding, type StandingCaches, type StandingSources } from '../tokens/token-standing-facts';
import type { StandingPlace } from '../tokens/token-standing';
import { refusalReason, type GuardDecisionMeter } from './refusal-reason';
import { RouteMatcher } from './route-matcher';
import type { GuardRoute, RouteAccess } from './route-rule';
import { isPublic } from './access-check';
import { explainRequest, type ExplainReport } from './explain/explain-request';
import type { ExplainCheck, ExplainInput } from './explain/explain-check';
import { syntheticRequest } from './explain/synthetic-request';
import type { RoleCaches, RoleMode } from './role-source';
import type { AccessTokenClaims, RememberedToken, TokenVerifier } from './token-verifier';
import { claimsOf } from '../tokens/claims-shape';
import type { VerifiedIdentity } from './verified-identity';
import { ForeignCheck, type ForeignIssuers } from './foreign-check';
import { OwnTokenCheck } from './own-token-check';

/**
 * How far memory took the checks when it did not decide: what the store-reading rest goes on
 * from. A class, so the hit path can tell it from an identity without allocating a wrapper.
 */
class MemoryStep {
  constructor(
    readonly token: string,
    readonly needed: readonly RouteAccess[],
    readonly claims: AccessTokenClaims | undefined,
    /** The verified-token cache entry of those claims (where the token's revocation answer is kept). */
    readonly remembered: RememberedToken | undefined,
    /** The API key sent, when the guard requires one. */
    readonly apiKey: string | undefined,
  ) {}
}

/**
 * What memory made of a request: the identity (decided), null (a public route: no token was
 * looked at, no identity goes upstream), or the step the store-reading rest goes on from.
 */
type FromMemory = VerifiedIdentity | null | MemoryStep;

/** What a guard is built from: its verifier, the status caches checks 3 read, where errors go. */
export interface GuardDeps extends StandingCaches, RoleCaches {
  clients: RoleCaches['clients'];
  users: RoleCaches['users'];
  verifier: Pick<TokenVerifier, 'peekRemembered' | 'verifyRemembered' | 'verify'>;
  site: ErrorSite;
  /** Counts decisions (with their reason code) and their latency. */
  meter?: GuardDecisionMeter;
  /** Where presented API keys are looked up (needed when `apiKeyHeader` is set). */
  apiKeys?: ApiKeyLookup;
  /** Other issuers (`trustedIssuers`); used only if the application names some. */
  foreign?: ForeignIssuers;
}

export interface GuardOptions {
  /** The name of the application this pipeline protects. */
  application: string;
  settings: ApplicationSettings;
  /** The rules, in order, when not only `settings.routes` (hand-written ones and those of an OpenAPI document). */
  routes?: readonly GuardRoute[];
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
  /** `apiKey: required`: the lower-case header that must carry the token's client's API key. */
  apiKeyHeader?: string;
  /** Add `X-Portcullis-Debug` to refusals (not for production: it tells a caller what it lacks). */
  debugHeader?: boolean;
  /** Where the caller's roles come from: the token's claim (default) or the registry (role-source.ts). */
  roles?: RoleMode;
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
 * 3b. with `apiKey: required`, the API key header names the current key of the token's client
 *    (src/guard/api-key-check.ts); a key alone never authorizes;
 * 4. roles -> permissions (the current role definitions; the roles of the token, or with
 *    `roles: live` the caller's current ones, see role-source.ts): the route rule for (method,
 *    path) says what it needs (and the rule of every other reading of the path an upstream may
 *    use, see RouteMatcher): one of its alternatives, each a set of permissions
 *    (access-check.ts); no rule means deny. A rule may be public (an OpenAPI `security: []`):
 *    then checks 1-4 are skipped and no identity header goes upstream (the caller's own are
 *    removed all the same);
 * 5. identity headers for the upstream replace anything the caller sent, and other products'
 *    identity headers (`removeHeaders`) and the issuer's own cookies are removed.
 */
export class Guard {
  private readonly routes: RouteMatcher;
  /** Every permission this application declares. */
  private readonly permissions: Set<string>;
  /** Checks 3, 3b and 4 of Portcullis's own tokens (own-token-check.ts). */
  private readonly own: OwnTokenCheck;
  /** Check 3 at this guard: the token must be for this application. */
  private readonly place: StandingPlace;
  /** Where check 3 reads what memory did not answer. */
  private readonly sources: StandingSources;
  /** Tokens of other issuers this application accepts (foreign-check.ts); none by default. */
  private readonly foreign?: ForeignCheck;

  constructor(private readonly deps: GuardDeps, private readonly options: GuardOptions) {
    this.routes = new RouteMatcher(options.routes ?? options.settings.routes);
    this.permissions = grantablePermissions(options.settings);
    this.place = { audience: options.settings.audience, application: options.application };
    this.sources = cacheSources(deps);
    this.own = new OwnTokenCheck(deps, options, this.permissions, this.place);
    if (deps.foreign && options.settings.trustedIssuers?.length) this.foreign = new ForeignCheck(deps.foreign, options.settings, options.application);
  }

  /**
   * Runs checks 0-4 and returns who is calling, or null on a public route (nobody was checked);
   * throws the protocol error otherwise.
   */
  async check(req: IncomingMessage): Promise<VerifiedIdentity | null> {
    const memory = this.fromMemory(req);
    return memory instanceof MemoryStep ? this.finish(req, memory) : memory;
  }

  /**
   * `portcullis explain`: checks 1-4 on one request as a report of every check (not stopping at
   * the first refusal), decided by this guard's own parts. `checks` replaces the list (tests, and
   * the steps other token sources add).
   */
  async explain(input: ExplainInput, checks?: readonly ExplainCheck[]): Promise<ExplainReport> {
    const { application, settings, apiKeyHeader } = this.options;
    const { verifier, apiKeys } = this.deps;
    const stored = (await this.deps.roles.get(application)) ?? {};
    const ctx = { application, settings, routes: this.routes, grantable: this.permissions, verifier, place: this.place, sources: this.sources, apiKeyHeader, apiKeys, apiKeyRefusals: this.own.apiKeyRefusals, stored, foreign: this.foreign };
    const report = await explainRequest(ctx, input, checks);
    // The guard itself on the same request: the answer a caller would get, beside the steps.
    const guard = await this.check(syntheticRequest(input, apiKeyHeader)).then(
      (): ExplainReport['guard'] => ({ result: 'allowed' }),
      (err): ExplainReport['guard'] => ({ result: 'refused', reason: refusalReason(err), description: err instanceof Error ? err.message : String(err) }),
    );
    return { ...report, guard };
  }

  /**
   * The same checks without waiting, when every answer they need is already in memory (the usual
   * case for a token in use); undefined means "ask the store", never "allowed"; null: a public route.
   */
  checkCached(req: IncomingMessage): VerifiedIdentity | null | undefined {
    const memory = this.fromMemory(req);
    return memory instanceof MemoryStep ? undefined : memory;
  }

  /** Checks 0-4 as far as memory answers them; throws a refusal, or says where to go on from. */
  private fromMemory(req: IncomingMessage): FromMemory {
    const needed = this.requestShape(req);
    if (isPublic(needed)) return null;
    // Unchecked characters are enough to ask the caches, which hold only well-formed tokens; a
    // miss checks them (checkedBearer) before anything verifies the token.
    const lookup = bearerForLookup(req);
    const apiKey = this.options.apiKeyHeader ? readApiKey(req, this.options.apiKeyHeader) : undefined;
    const remembered = lookup === undefined ? undefined : this.deps.verifier.peekRemembered(lookup);
    if (!remembered) {
      // Own tokens in memory never reach this: another issuer's token is looked at only on a miss.
      // Every issuer the application accepts is asked by digest (the one `issuerOf` would pick
      // among them); the token's claims are read only by `finish`, when none had it in memory.
      const foreign = lookup === undefined ? undefined : this.foreign?.peekAny(lookup, needed);
      return foreign ?? new MemoryStep(checkedBearer(req, lookup), needed, undefined, undefined, apiKey);
    }
    const token = lookup as string; // a hit: the lookup found it
    const claims = claimsOf(remembered);
    const tracked = trackedOutcome(req);
    if (tracked) tracked.clientId = claims.client_id;
    const facts = peekStanding(claims, this.deps, remembered);
    return (facts && this.own.peek(claims, facts, needed, apiKey)) ?? new MemoryStep(token, needed, claims, remembered, apiKey);
  }

  /** The rest once memory did not suffice; the verified-token cache is not asked a second time. */
  private async finish(req: IncomingMessage, { token, claims: peeked, remembered: peekedEntry, needed, apiKey }: MemoryStep): Promise<VerifiedIdentity> {
    const issuer = !peeked && this.foreign?.issuerOf(token);
    if (issuer) return this.foreign!.check(issuer, token, needed);
    const remembered = peekedEntry ?? (await this.deps.verifier.verifyRemembered(token));
    const claims = peeked ?? claimsOf(remembered);
    const tracked = trackedOutcome(req);
    if (!peeked && tracked) tracked.clientId = claims.client_id;
    return this.own.check(claims, peekStanding(claims, this.deps, remembered) ?? loadStanding(claims, this.sources, { holder: remembered }), needed, apiKey);
  }

  /**
   * Check 0, before the token: a request whose path or method could be read another way upstream
   * is malformed whoever sends it. Returns what the route needs (nothing: no rule).
   */
  private requestShape(req: IncomingMessage): readonly RouteAccess[] {
    refuseOverrides(req);
    return this.routes.accessFor(req.method ?? 'GET', originalPath(req));
  }

  /**
   * The guard as Connect/Express middleware: identity on success, the structured error otherwise.
   * Each decision is counted once with its reason code (the refusal's `reason`, refusal-reason.ts)
   * and recorded on the request's outcome record (`outcomeOf(req)`, for the access log).
   */
  middleware(): Middleware {
    // One method call per request and no closure: the hit path allocates nothing of its own.
    return (req, res, next) => this.handle(req, res, next);
  }

  private handle(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void {
    const tracked = trackedOutcome(req);
    if (tracked) tracked.application = this.options.application;
    const start = this.deps.meter ? performance.now() : 0;
    let memory: FromMemory;
    try {
      memory = this.fromMemory(req);
    } catch (err) {
      return this.refuse(req, res, err, start);
    }
    if (memory === null) return this.passPublic(req, next, start);
    if (!(memory instanceof MemoryStep)) return this.pass(req, next, memory, start);
    this.finish(req, memory).then(
      (identity) => this.pass(req, next, identity, start),
      (err: unknown) => this.refuse(req, res, err, start),
    );
  }

  private pass(req: IncomingMessage, next: (err?: unknown) => void, identity: VerifiedIdentity, start: number): void {
    this.deps.meter?.allow(start);
    setIdentityHeaders(req, identity, this.options);
    // The client as the guard established it (also for another issuer's tokens, whose claims differ).
    const outcome = trackedOutcome(req);
    if (outcome) {
      outcome.decision = 'allowed';
      outcome.clientId = identity.clientId;
    }
    // The request id (upstream and in the response) is the request context's, set before any guard
    // ran (request-context.ts); without one, a request let through gets none (an error still does).
    (req as IncomingMessage & { portcullis?: VerifiedIdentity }).portcullis = identity;
    next();
  }

  /** A public route: nobody was checked, and no identity goes upstream (the caller's own are removed). */
  private passPublic(req: IncomingMessage, next: (err?: unknown) => void, start: number): void {
    this.deps.meter?.allow(start);
    clearIdentityHeaders(req, this.options);
    const outcome = trackedOutcome(req);
    if (outcome) outcome.decision = 'allowed';
    next();
  }

  private refuse(req: IncomingMessage, res: ServerResponse, err: unknown, start: number): void {
    const reason = refusalReason(err);
    this.deps.meter?.refuse(reason, start);
    if (this.options.debugHeader) setDebugHeader(res, err, reason);
    // The access log says the same reason code as the metrics (not the bare OAuth error code).
    const outcome = trackedOutcome(req);
    if (outcome) {
      outcome.decision = 'refused';
      outcome.reason = reason;
    }
    sendError(req, res, err, this.deps.site);
  }
}

function originalPath(req: IncomingMessage): string {
  return (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/';
}
