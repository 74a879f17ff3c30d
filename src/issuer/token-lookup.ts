import type { UserRegistry } from '../users/user-registry';
import type { RevocationList } from '../tokens/revocation-list';
import type { AccessTokenClaims, TokenVerifier } from '../guard/token-verifier';
import type { GrantRevoker } from '../tokens/grant-revoker';
import type { RefreshTokens, StoredRefreshToken } from '../tokens/refresh-tokens';
import type { ClientCredentials } from './client-authentication';

export interface TokenLookupDeps {
  verifier: Pick<TokenVerifier, 'verify'>;
  /**
   * Recognises access tokens a guard may still accept (the longest guard leeway past `exp`), so
   * that revocation (RFC 7009) can reach every token that still works somewhere.
   */
  revocationVerifier: Pick<TokenVerifier, 'verify'>;
  revocations: Pick<RevocationList, 'isRevoked' | 'revoke'>;
  refreshTokens: Pick<RefreshTokens, 'find'>;
  revoker: Pick<GrantRevoker, 'isRevoked' | 'revokeGrant'>;
  /** Finds token owners and callers, and authenticates the caller. */
  clients: ClientCredentials;
  users: Pick<UserRegistry, 'find'>;
  /** The audience of a declared application, to tell which tokens a resource server may inspect. */
  audienceOf: (application: string) => string | undefined;
}

export type FoundToken =
  | { kind: 'access_token'; claims: AccessTokenClaims }
  | { kind: 'refresh_token'; stored: StoredRefreshToken };

/**
 * Finds what a presented token is, for revocation and introspection: one of our refresh tokens
 * (by its prefix and store record), or an access token of ours that verifies (whether it is still
 * honoured, revoked included, is token-standing.ts's decision). Anything else is undefined.
 * `hint` (RFC 7009 §2.1) only decides the order of the lookups. `verifier` decides which access
 * tokens count as live: introspection's (no leeway) or revocation's (any guard's leeway).
 */
export async function findToken(deps: TokenLookupDeps, token: string, hint?: string, verifier = deps.verifier): Promise<FoundToken | undefined> {
  const asRefresh = async (): Promise<FoundToken | undefined> => {
    if (!token.startsWith('pcr_')) return undefined;
    const stored = await deps.refreshTokens.find(token);
    if (!stored || stored.token.usedAt || (await deps.revoker.isRevoked(stored.token.grantId))) return undefined;
    return { kind: 'refresh_token', stored };
  };
  const asAccess = async (): Promise<FoundToken | undefined> => {
    if (token.split('.').length !== 3) return undefined;
    try {
      return { kind: 'access_token', claims: await verifier.verify(token) };
    } catch {
      return undefined;
    }
  };
  const order = hint === 'access_token' ? [asAccess, asRefresh] : [asRefresh, asAccess];
  for (const lookup of order) {
    const found = await lookup();
    if (found) return found;
  }
  return undefined;
}

/** The client a found token belongs to. */
export function ownerOf(found: FoundToken): string {
  return found.kind === 'access_token' ? found.claims.client_id : found.stored.token.clientId;
}
