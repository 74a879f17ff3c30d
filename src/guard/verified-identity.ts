import type { AccessTokenClaims } from './token-verifier';

/** Who is calling, as the guard established it; handed to the upstream and to later middleware. */
export interface VerifiedIdentity {
  application: string;
  clientId: string;
  subject: string;
  roles: string[];
  permissions: Set<string>;
  scope?: string;
  claims: AccessTokenClaims;
}

/** What the identities of many tokens share: all but the token's own claims. */
export type SharedIdentity = Omit<VerifiedIdentity, 'claims'>;

/**
 * An identity made per request from the part many tokens share (built once per caller, roles and
 * scope) and the token's own claims: a few pointers, so the guard keeps nothing per token for it.
 * The shared part stays reachable (privately) for what is derived from it alone, such as the
 * identity headers (identity-headers.ts), so those are built once per shared part too.
 */
export class TokenIdentity implements VerifiedIdentity {
  application: string;
  clientId: string;
  subject: string;
  roles: string[];
  permissions: Set<string>;
  scope?: string;
  claims: AccessTokenClaims;
  readonly #shared: SharedIdentity;

  constructor(shared: SharedIdentity, claims: AccessTokenClaims) {
    this.application = shared.application;
    this.clientId = shared.clientId;
    this.subject = shared.subject;
    this.roles = shared.roles;
    this.permissions = shared.permissions;
    this.scope = shared.scope;
    this.claims = claims;
    this.#shared = shared;
  }

  /** The part `identity` shares with others (itself for an identity made whole, such as another issuer's token's). */
  static sharedPart(identity: VerifiedIdentity): object {
    return #shared in identity ? identity.#shared : identity;
  }
}
