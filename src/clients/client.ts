import type { AdminRole } from '../users/user';

/**
 * A client ("credential") as stored. It is linked to exactly one application; its roles decide what
 * its tokens may do there. Only a keyed hash of the secret is kept.
 */
export interface Client {
  clientId: string;
  name: string;
  description?: string;
  /** The one application (protected API) this credential is linked to. */
  application: string;
  /** `service`: client credentials; `web`: confidential interactive app; `public`: PKCE, no secret. */
  type: 'service' | 'web' | 'public';
  roles: string[];
  status: 'active' | 'disabled';
  /** HMAC-SHA256 of the secret under the server's hash key, base64url. Absent for public clients. */
  secretHash?: string;
  /** When the current secret was issued (epoch ms). */
  secretIssuedAt?: number;
  redirectUris: string[];
  allowedOrigins: string[];
  /**
   * Tokens issued at or before this time (epoch seconds) are refused, even after reactivation:
   * deactivating an app ends everything it was given (the rule: src/tokens/token-standing.ts).
   */
  tokensValidAfter?: number;
  /** A service client that may call the admin API (automation). */
  adminRole?: AdminRole;
  createdAt: number;
  updatedAt: number;
}

/** What may be shown about a client: everything but the secret hash. */
export type ClientView = Omit<Client, 'secretHash'>;

/** Strips the secret hash before a client is printed or returned by an API. */
export function viewOf(client: Client): ClientView {
  const { secretHash: _hash, ...view } = client;
  return view;
}
