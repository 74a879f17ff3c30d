import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from '../keys/key-ring';

/** What an access token says, before signing. */
export interface AccessTokenGrant {
  clientId: string;
  /** The client itself (client credentials) or the signed-in user. */
  subject: string;
  /** The linked application's audience. */
  audience: string;
  roles: string[];
  /** Space-separated scope, present only when one was requested or granted. */
  scope?: string;
  /** When the user authenticated (epoch seconds), for user tokens. */
  authTime?: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
  /** Expiry in epoch seconds. */
  exp: number;
}

/**
 * Every claim an access token from issue() can carry (scope and auth_time only for some grants).
 * A guard that requires any other claim would refuse every token; start-up checks against this.
 */
export const ACCESS_TOKEN_CLAIMS = ['iss', 'sub', 'aud', 'iat', 'exp', 'jti', 'client_id', 'roles', 'scope', 'auth_time'] as const;

/** The header `typ` of RFC 9068 §2.1: it tells an access token apart from an ID token. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Signs RFC 9068 JWT access tokens with the key ring's active key. */
export class AccessTokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly lifetime: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(grant: AccessTokenGrant): Promise<IssuedAccessToken> {
    const key = this.keys.active();
    const iat = Math.floor(this.now() / 1000);
    const exp = iat + this.lifetime;
    const jti = randomUUID();
    const claims: Record<string, unknown> = { client_id: grant.clientId, roles: grant.roles };
    if (grant.scope) claims.scope = grant.scope;
    if (grant.authTime !== undefined) claims.auth_time = grant.authTime;
    // The whole claims set at once, in the order the setters (setIssuer ... setJti) used to add
    // them, so the payload is byte for byte the same: each jose setter copies the payload again.
    claims.iss = this.issuer;
    claims.sub = grant.subject;
    claims.aud = grant.audience;
    claims.iat = iat;
    claims.exp = exp;
    claims.jti = jti;
    const token = await new SignJWT(claims).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ACCESS_TOKEN_TYP }).sign(key.privateKey);
    return { token, jti, expiresIn: this.lifetime, exp };
  }
}
