import type { RevocationList } from './revocation-list';
import type { RefreshTokens } from './refresh-tokens';

/**
 * Revokes grants end to end: the refresh token family and every access token issued with it,
 * which the guard then refuses within its cache window (under a second).
 */
export class GrantRevoker {
  constructor(private readonly refreshTokens: RefreshTokens, private readonly revocations: RevocationList) {}

  async revokeGrant(grantId: string, alsoAccess: Array<{ jti: string; exp: number }> = []): Promise<void> {
    const access = await this.refreshTokens.revokeGrant(grantId);
    for (const { jti, exp } of [...access, ...alsoAccess]) await this.revocations.revoke(jti, exp);
  }

  isRevoked(grantId: string): Promise<boolean> {
    return this.refreshTokens.isGrantRevoked(grantId);
  }

  /** Every grant of a client (deactivation) or user (disabled account). */
  async revokeAllOf(index: 'client' | 'user', id: string): Promise<void> {
    for (const grantId of await this.refreshTokens.grantsOf(index, id)) await this.revokeGrant(grantId);
  }
}
