import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import type { KeyRing } from '../keys/key-ring';
import type { User } from '../users/user';
import { userClaims } from '../users/user-claims';

export interface IdTokenGrant {
  user: User;
  clientId: string;
  scopes: string[];
  authTime: number;
  nonce?: string;
  accessToken: string;
}

/**
 * OpenID Connect Core §3.1.3.6 `at_hash`: the left half of the hash of the access token, with the
 * hash the signing algorithm uses (SHA-256 for RS256/ES256, SHA-512 for Ed25519).
 */
export function atHash(accessToken: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256').update(accessToken, 'ascii').digest();
  return digest.subarray(0, digest.length / 2).toString('base64url');
}

/**
 * The header `typ` of every ID token this issuer signs (RFC 8725 §3.11: explicit typing). It tells
 * an ID token apart from an access token (`at+jwt`, RFC 9068 §2.1) signed by the same keys.
 */
export const ID_TOKEN_TYP = 'JWT';

/** Signs ID tokens (OIDC Core §2): audience is the client, `typ` is plain JWT. */
export class IdTokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly issuer: string,
    private readonly lifetime: number,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(grant: IdTokenGrant): Promise<string> {
    const key = this.keys.active();
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = {
      auth_time: grant.authTime,
      at_hash: atHash(grant.accessToken, key.alg),
      ...userClaims(grant.user, grant.scopes),
    };
    if (grant.nonce !== undefined) claims.nonce = grant.nonce;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: ID_TOKEN_TYP })
      .setIssuer(this.issuer)
      .setSubject(grant.user.userId)
      .setAudience(grant.clientId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + this.lifetime)
      .sign(key.privateKey);
  }
}
