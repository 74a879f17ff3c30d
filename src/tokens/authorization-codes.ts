import type { Store } from '../store/store';
import { newOpaqueToken, storeKeyOf } from './opaque-token';

const CODES = 'authorization-codes';
const REDEEMED = 'redeemed-codes';

/** Everything a code is bound to (RFC 6749 §4.1.2, RFC 7636 §4.4). */
export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  /** Whether the authorization request carried redirect_uri (then the token request must too). */
  redirectUriGiven: boolean;
  userId: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  authTime: number;
  /** The grant this code starts: refresh token family and replay revocation hang off it. */
  grantId: string;
}

/** What a redeemed code leaves behind, so a replay can revoke what the first use issued. */
export interface RedeemedCode {
  grantId: string;
  /** Absent while the first exchange is still minting. */
  accessJti?: string;
  accessExp?: number;
}

/**
 * Authorization codes: single use (atomic consume), short-lived, stored by hash.
 * RFC 6749 §4.1.2: a code used twice must be refused, and the server SHOULD revoke the tokens
 * already issued from it; the `redeemed` record remembers those until the code would have expired.
 */
export class AuthorizationCodes {
  constructor(private readonly store: Store, private readonly ttlSeconds: number, private readonly now: () => number = Date.now) {}

  async issue(code: AuthorizationCode): Promise<string> {
    const value = newOpaqueToken('pca_');
    await this.store.create(CODES, storeKeyOf(value), code, { expiresAt: this.now() + this.ttlSeconds * 1000 });
    return value;
  }

  /** Takes the code; of concurrent redemptions exactly one gets it. */
  async consume(value: string): Promise<AuthorizationCode | undefined> {
    return this.store.consume<AuthorizationCode>(CODES, storeKeyOf(value));
  }

  async markRedeemed(value: string, redeemed: RedeemedCode): Promise<void> {
    await this.store.put(REDEEMED, storeKeyOf(value), redeemed, { expiresAt: this.now() + this.ttlSeconds * 1000 });
  }

  /** If this code was already redeemed, what it issued. */
  async findRedeemed(value: string): Promise<RedeemedCode | undefined> {
    return (await this.store.get<RedeemedCode>(REDEEMED, storeKeyOf(value)))?.value;
  }
}
