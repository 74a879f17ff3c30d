import type { Client } from '../clients/client';
import type { User } from '../users/user';

/**
 * Whether an access token of this issuer is still honoured: the one place the rules are written.
 * The guard, userinfo, introspection and the admin API's bearer check all decide through
 * `decideStanding`; each keeps its own wire answer (401 `invalid_token`, `{"active": false}`...).
 * The decision is pure: the facts are loaded first (token-standing-facts.ts), so the guard can
 * decide synchronously from its caches.
 */

/** The claims the rules read (a verified access token has them all). */
export interface StandingClaims {
  client_id: string;
  sub: string;
  aud: string | string[];
  /** Issued at, epoch seconds. */
  iat: number;
  jti: string;
}

/** What the rules need to know about the token's client. */
export type ClientStanding = Pick<Client, 'status' | 'application' | 'tokensValidAfter'>;
/** What the rules need to know about the user behind a user token. */
export type UserStanding = Pick<User, 'status'>;

export interface StandingFacts {
  /** The token's client; null: no such client. */
  client: ClientStanding | null;
  /** The user behind the token; null: no such user; undefined: no user to check (a client's own token). */
  user?: UserStanding | null;
  /** The token's `jti` is on the revocation list. */
  revoked: boolean;
}

/** Where the token is presented, when that is one application (the guard); other surfaces take any. */
export interface StandingPlace {
  /** The application's audience: the token's `aud` must name it. */
  audience: string;
  /** The application: the token's client must be linked to it. */
  application: string;
}

/** The guard's reason codes (refusal-reason.ts, metrics and access log). */
export type StandingReason = 'wrong_audience' | 'unknown_client' | 'client_disabled' | 'wrong_application' | 'user_disabled' | 'revoked';

export interface Refusal {
  honoured: false;
  reason: StandingReason;
  /** Says exactly which rule failed (the guard's error_description). */
  description: string;
  /**
   * Says only whose standing failed (userinfo's and the admin API's description): the issuer's
   * own endpoints tell a client less than a resource's guard tells its API owner.
   */
  summary: string;
}

export type Standing = { honoured: true } | Refusal;

// Constants: the guard decides on every request, and an allowed request should allocate nothing here.
const HONOURED: Standing = Object.freeze({ honoured: true });
const CLIENT_NOT_ACTIVE = 'the client of this access token is not active';
const refusal = (reason: StandingReason, description: string, summary: string): Refusal => Object.freeze({ honoured: false, reason, description, summary });
const WRONG_AUDIENCE = refusal('wrong_audience', 'the access token is for another application', 'the access token is for another application');
const UNKNOWN_CLIENT = refusal('unknown_client', 'the client of this access token is unknown', CLIENT_NOT_ACTIVE);
const CLIENT_DISABLED = refusal('client_disabled', 'the client of this access token is disabled', CLIENT_NOT_ACTIVE);
const CLIENT_DEACTIVATED_SINCE = refusal('revoked', 'the access token was revoked when its client was deactivated', CLIENT_NOT_ACTIVE);
const WRONG_APPLICATION = refusal('wrong_application', 'the client of this access token is linked to another application', 'the access token is for another application');
const USER_DISABLED = refusal('user_disabled', 'the user of this access token is disabled or unknown', 'the user of this access token is not active');
const REVOKED = refusal('revoked', 'the access token was revoked', 'the access token was revoked');

/** A user token acts for a person; a client's own token (client credentials) has the client as subject. */
export function isUserToken(claims: Pick<StandingClaims, 'sub' | 'client_id'>): boolean {
  return claims.sub !== claims.client_id;
}

/** Whether a user's tokens (access tokens, refresh tokens, authorization codes) may still be used. */
export function isActiveUser<U extends UserStanding>(user: U | null | undefined): user is U {
  return !!user && user.status === 'active';
}

/** One rule of the standing decision: a refusal, or undefined when the token passes it. */
export interface StandingRule {
  /** What the rule checks (`portcullis explain` prints each rule under this name). */
  readonly name: 'audience' | 'client' | 'deactivation' | 'application' | 'user' | 'revocation';
  /** Whether the rule has anything to check for these facts (a client's own token has no user). */
  applies(claims: StandingClaims, facts: StandingFacts, place?: StandingPlace): boolean;
  check(claims: StandingClaims, facts: StandingFacts, place?: StandingPlace): Refusal | undefined;
}

/**
 * The rules, in the order that decides which one a refusal names:
 * 1. at a guard, `aud` names its application;
 * 2. the client exists and is active;
 * 3. the token was issued after the client was last deactivated (`tokensValidAfter`: deactivating
 *    an app ends every token it was given, even after reactivation);
 * 4. at a guard, the client is linked to its application;
 * 5. the user behind a user token exists and is active;
 * 6. the token itself is not revoked (`jti`, RFC 7009).
 * `decideStanding` stops at the first refusal; `portcullis explain` runs each (a report mode).
 */
export const STANDING_RULES: readonly StandingRule[] = Object.freeze([
  {
    name: 'audience',
    applies: (_c, _f, place) => !!place,
    check: (claims, _f, place) => (place && !(Array.isArray(claims.aud) ? claims.aud.includes(place.audience) : claims.aud === place.audience) ? WRONG_AUDIENCE : undefined),
  },
  {
    name: 'client',
    applies: () => true,
    check: (_c, { client }) => (!client ? UNKNOWN_CLIENT : client.status !== 'active' ? CLIENT_DISABLED : undefined),
  },
  {
    name: 'deactivation',
    applies: (_c, { client }) => !!client,
    check: (claims, { client }) => (client?.tokensValidAfter !== undefined && claims.iat <= client.tokensValidAfter ? CLIENT_DEACTIVATED_SINCE : undefined),
  },
  {
    name: 'application',
    applies: (_c, { client }, place) => !!place && !!client,
    check: (_c, { client }, place) => (place && client && client.application !== place.application ? WRONG_APPLICATION : undefined),
  },
  {
    name: 'user',
    applies: (_c, { user }) => user !== undefined,
    check: (_c, { user }) => (user !== undefined && !isActiveUser(user) ? USER_DISABLED : undefined),
  },
  {
    name: 'revocation',
    applies: () => true,
    check: (_c, { revoked }) => (revoked ? REVOKED : undefined),
  },
]);

/** Whether the token is honoured here: the first of STANDING_RULES that refuses it decides. */
export function decideStanding(claims: StandingClaims, facts: StandingFacts, place?: StandingPlace): Standing {
  for (const rule of STANDING_RULES) {
    const refusal = rule.check(claims, facts, place);
    if (refusal) return refusal;
  }
  return HONOURED;
}
